package provider

import (
	"os"
	"os/exec"
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
