package emulator

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
)

// A change that cannot be written to the state file is not answered with
// success: the client must not believe it survives a restart.
func TestStateFileWriteFailureIsNotAcknowledged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, Options{StateFile: filepath.Join(dir, "state.json")})
	if err := os.RemoveAll(dir); err != nil { // nowhere to write the next save
		t.Fatal(err)
	}
	_, err := f.client().RunInstances(f.runRequest())
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != 500 || se.ErrorCode() != "InternalError" {
		t.Fatalf("RunInstances with an unwritable state file: want 500 InternalError, got %v", err)
	}
}
