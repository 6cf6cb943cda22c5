package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

const akProfileConfig = `{"current": "default", "profiles": [
 {"name": "default", "mode": "AK", "access_key_id": "ak", "access_key_secret": "sk", "region_id": "cn-hangzhou"}]}`

// A credentials file that others can read, or one reached through a
// symlink, is used with a warning, as the ssh and aliyun CLIs warn
// (issue #24, item 7); a private regular file gets none.
func TestCredentialsFileModeWarns(t *testing.T) {
	warnings := func(t *testing.T, m providerModel, home func() (string, error)) string {
		t.Helper()
		_, diags := resolveSettings(m, envFrom(nil), home)
		if diags.HasError() {
			t.Fatalf("error: %v", diags)
		}
		var b strings.Builder
		for _, d := range diags.Warnings() {
			b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
		}
		return b.String()
	}
	t.Run("private file", func(t *testing.T) {
		if w := warnings(t, nullModel(), homeWith(t, akProfileConfig)); strings.Contains(w, "credentials file") {
			t.Errorf("a 0600 file warns: %s", w)
		}
	})
	t.Run("readable by others", func(t *testing.T) {
		home := homeWith(t, akProfileConfig)
		dir, _ := home()
		file := filepath.Join(dir, ".aliyun", "config.json")
		if err := os.Chmod(file, 0o644); err != nil {
			t.Fatal(err)
		}
		w := warnings(t, nullModel(), home)
		for _, want := range []string{"credentials file", file, "0644", "chmod 600"} {
			if !strings.Contains(w, want) {
				t.Errorf("the warning does not say %q: %q", want, w)
			}
		}
	})
	t.Run("through a symlink", func(t *testing.T) {
		home := homeWith(t, akProfileConfig)
		dir, _ := home()
		link := filepath.Join(t.TempDir(), "creds.json")
		if err := os.Symlink(filepath.Join(dir, ".aliyun", "config.json"), link); err != nil {
			t.Fatal(err)
		}
		m := nullModel()
		m.SharedCredentialsFile = types.StringValue(link)
		w := warnings(t, m, noHome)
		for _, want := range []string{"credentials file", link, "symbolic link"} {
			if !strings.Contains(w, want) {
				t.Errorf("the warning does not say %q: %q", want, w)
			}
		}
	})
}
