package main

import "testing"

func TestQuietUnkeptLogs(t *testing.T) {
	for _, tc := range []struct {
		name          string
		env           map[string]string
		sdk, provider string // what the provider process ends with
	}{
		{"no logs asked for", map[string]string{}, "OFF", "OFF"},
		{"TF_LOG=OFF", map[string]string{"TF_LOG": "off"}, "OFF", "OFF"},
		{"TF_LOG_PROVIDER=INFO", map[string]string{"TF_LOG_PROVIDER": "INFO"}, "INFO", "INFO"},
		{"TF_LOG=DEBUG", map[string]string{"TF_LOG": "debug"}, "DEBUG", "DEBUG"},
		{"TF_LOG_PROVIDER wins over TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "WARN"}, "WARN", "WARN"},
		{"TRACE kept", map[string]string{"TF_LOG": "TRACE"}, "", ""},
		{"JSON is TRACE", map[string]string{"TF_LOG": "JSON"}, "", ""},
		{"unknown is TRACE", map[string]string{"TF_LOG_PROVIDER": "loud"}, "", "loud"},
		{"the user's own SDK level stays", map[string]string{"TF_LOG_SDK": "TRACE"}, "TRACE", "OFF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			quietUnkeptLogs(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if env["TF_LOG_SDK"] != tc.sdk || env["TF_LOG_PROVIDER"] != tc.provider {
				t.Fatalf("TF_LOG_SDK=%q TF_LOG_PROVIDER=%q, want %q and %q", env["TF_LOG_SDK"], env["TF_LOG_PROVIDER"], tc.sdk, tc.provider)
			}
		})
	}
}
