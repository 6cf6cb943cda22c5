// Package sdkdebug turns off the debug output of alibaba-cloud-sdk-go before
// the SDK can turn it on.
//
// The SDK reads the DEBUG environment variable once, while its packages are
// initialised (sdk, sdk/auth, sdk/errors and sdk/endpoints each call
// utils.Init("sdk") in a package-level variable), and with DEBUG=sdk it
// prints every request to stdout: the full URL with the Signature, the
// AccessKeyId, the SecurityToken, an instance's Password and its UserData.
// A provider's stdout ends up in Terraform's log. Unsetting DEBUG in main is
// too late: by then the SDK has read it.
//
// This package removes "sdk" from DEBUG in its init function. It imports
// only os and strings, so it is ready to initialise as soon as the SDK's
// utils package is (utils imports os and strings too), and Go initialises,
// among the packages that are ready, the one whose import path sorts first
// (the Go spec, "Package initialization", since Go 1.21):
// github.com/aliecs/… sorts before github.com/aliyun/…. Every binary that
// links the SDK through internal/ecsapi links this package, because ecsapi
// imports it. TestSDKDebugSwitchIgnored (internal/ecsapi) and the provider
// binary's secrets test check that it works.
package sdkdebug

import (
	"os"
	"strings"
)

// flag is the DEBUG entry that the SDK's debug output answers to.
const flag = "sdk"

// Warning is written once to stderr when DEBUG asked for the SDK's output.
const Warning = "terraform-provider-aliecs: warning: DEBUG=sdk is ignored: the Alibaba Cloud SDK's debug output " +
	"prints signed request URLs (security token, signature, passwords, user data). Use TF_LOG=DEBUG for the " +
	"provider's redacted log of every API call instead.\n"

var stripped bool

func init() {
	v, ok := os.LookupEnv("DEBUG")
	if !ok {
		return
	}
	kept, removed := Strip(v)
	if !removed {
		return
	}
	stripped = true
	if kept == "" {
		_ = os.Unsetenv("DEBUG")
	} else {
		_ = os.Setenv("DEBUG", kept)
	}
	_, _ = os.Stderr.WriteString(Warning)
}

// Strip removes every "sdk" entry from a DEBUG value (entries are separated
// by commas, as the SDK splits them) and reports whether there was one.
func Strip(v string) (string, bool) {
	parts := strings.Split(v, ",")
	kept := parts[:0]
	removed := false
	for _, p := range parts {
		if p == flag {
			removed = true
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ","), removed
}

// Stripped reports whether DEBUG asked for the SDK's output and was cleaned.
func Stripped() bool { return stripped }
