// Package depsfloor holds only a test: it checks go.mod against the floors
// listed in deps-floor.txt at the repository's root, so that a module with
// a published advisory is not required at a version older than its fix.
package depsfloor
