// Package nodebug turns off the alibaba-cloud-sdk-go debug output. With
// DEBUG=sdk in the environment, the SDK prints every request URL (its
// signature, security token and parameters such as passwords) to stdout,
// which Terraform copies into its log. The SDK reads DEBUG once, when its
// package is initialised, so this package removes "sdk" from DEBUG in its
// own init. Go initialises the packages of a program in the order of their
// import paths among those whose imports are ready (Go ≥ 1.21), and this
// path sorts before github.com/aliyun/…, which also needs os: so importing
// it anywhere in the program is enough. ecsapi imports it.
package nodebug

import (
	"os"
	"strings"
)

func init() {
	v, ok := os.LookupEnv("DEBUG")
	if !ok {
		return
	}
	var keep []string
	for _, part := range strings.Split(v, ",") {
		if part != "sdk" {
			keep = append(keep, part)
		}
	}
	_ = os.Setenv("DEBUG", strings.Join(keep, ","))
}
