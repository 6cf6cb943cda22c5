package main

import "strings"

// keptLogLevel returns the level at which Terraform keeps this provider's
// log lines: TF_LOG_PROVIDER, else TF_LOG; "" when it keeps none (neither
// set, or OFF). A value Terraform does not know (and JSON) means TRACE to
// Terraform, so it does here too.
func keptLogLevel(getenv func(string) string) string {
	level := strings.ToUpper(strings.TrimSpace(getenv("TF_LOG_PROVIDER")))
	if level == "" {
		level = strings.ToUpper(strings.TrimSpace(getenv("TF_LOG")))
	}
	switch level {
	case "", "OFF":
		return ""
	case "DEBUG", "INFO", "WARN", "ERROR":
		return level
	default:
		return "TRACE"
	}
}

// quietUnkeptLogs sets the SDK's and the provider's own log levels, when the
// user did not, to what Terraform keeps. Left alone, terraform-plugin-go and
// the framework write every TRACE line as JSON for Terraform to throw away:
// a third of the provider's CPU in a plan of 1,000 resources. Logs a user
// asked for (TF_LOG_PROVIDER or TF_LOG at any level) are unchanged.
func quietUnkeptLogs(getenv func(string) string, setenv func(string, string) error) {
	level := keptLogLevel(getenv)
	if level == "TRACE" {
		return
	}
	if level == "" {
		level = "OFF"
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER"} {
		if getenv(name) == "" {
			_ = setenv(name, level)
		}
	}
}
