// Command ecs-emulator serves a local emulator of the Alibaba Cloud ECS API.
// Run it with --help for its flags; see internal/emulator/README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := emulator.RunCommand(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
