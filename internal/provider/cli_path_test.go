package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests that run the CLI themselves (not through terraform-plugin-testing)
// follow the same variables terraform-plugin-testing does, so that
// `make test-opentofu` runs them with OpenTofu too.

// cliPath is the terraform (or tofu) binary: TF_ACC_TERRAFORM_PATH, else
// terraform on PATH; the test is skipped when there is none.
func cliPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH (and TF_ACC_TERRAFORM_PATH is not set)")
	}
	return p
}

// cliRegistryHost is the host a source address such as "aliecs/aliecs"
// stands for: registry.terraform.io for terraform, registry.opentofu.org for
// OpenTofu (TF_ACC_PROVIDER_HOST, as terraform-plugin-testing reads it).
func cliRegistryHost() string {
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		return h
	}
	return "registry.terraform.io"
}

// requireTofuHost fails early, with what to set, when the CLI is OpenTofu (by
// the binary's name) and TF_ACC_PROVIDER_HOST is not set: terraform-plugin-
// testing would attach the provider under registry.terraform.io, which
// OpenTofu refuses with "The legacy provider namespace "-" can be used only
// with hostname registry.opentofu.org".
func requireTofuHost(t *testing.T) {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); strings.Contains(filepath.Base(p), "tofu") && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		t.Fatalf("TF_ACC_TERRAFORM_PATH=%s looks like OpenTofu: set TF_ACC_PROVIDER_HOST=registry.opentofu.org too (make test-opentofu does)", p)
	}
}
