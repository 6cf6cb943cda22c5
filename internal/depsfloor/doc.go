// Package depsfloor holds only tests of what the build depends on: go.mod
// against the floors listed in deps-floor.txt at the repository's root (a
// module with a published advisory is not required at a version older than
// its fix), and the workflows' actions pinned by commit.
package depsfloor
