package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// stateFileVersion guards against loading an incompatible file.
const stateFileVersion = 1

type stateFile struct {
	Version int    `json:"version"`
	Store   *store `json:"store"`
}

// load reads Options.StateFile; a missing file is an empty state.
func (e *Emulator) load() error {
	b, err := os.ReadFile(e.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator: read state file: %w", err)
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return fmt.Errorf("emulator: parse state file %s: %w", e.opts.StateFile, err)
	}
	if sf.Version != stateFileVersion || sf.Store == nil {
		return fmt.Errorf("emulator: state file %s has unsupported version %d", e.opts.StateFile, sf.Version)
	}
	st := sf.Store
	if err := st.validate(); err != nil {
		return fmt.Errorf("emulator: state file %s: %w", e.opts.StateFile, err)
	}
	if st.Instances == nil {
		st.Instances = map[string]*instance{}
	}
	if st.Disks == nil {
		st.Disks = map[string]*disk{}
	}
	if st.Snapshots == nil {
		st.Snapshots = map[string]*snapshot{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*snapshotGroup{}
	}
	if st.Policies == nil {
		st.Policies = map[string]*autoSnapshotPolicy{}
	}
	if st.Tokens == nil {
		st.Tokens = map[string]*tokenEntry{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st = st
	for _, id := range st.Regions {
		if validRegionID(id) {
			e.regions[id] = buildRegion(id)
		}
	}
	e.recomputeDueLocked()
	return nil
}

// saveLocked writes the state atomically (temp file + rename). It is called
// with e.mu held after every change; the file is small and a write per change
// keeps a crash from losing anything.
func (e *Emulator) saveLocked() error {
	if e.opts.StateFile == "" {
		return nil
	}
	b, err := json.Marshal(stateFile{Version: stateFileVersion, Store: e.st})
	if err != nil {
		return err
	}
	dir := filepath.Dir(e.opts.StateFile)
	tmp, err := os.CreateTemp(dir, ".ecs-emulator-state-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return errors.Join(werr, cerr)
	}
	if err := os.Rename(tmp.Name(), e.opts.StateFile); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

// validate refuses a store that parses but would panic or misbehave later:
// a null entry, an entry filed under another id, a token without its
// result, a clock shift out of range. The error names the entry.
func (s *store) validate() error {
	if s.Advanced > maxClockShift || s.Advanced < -maxClockShift {
		return fmt.Errorf("advanced %d is beyond %s (100 years)", int64(s.Advanced), durationText(maxClockShift))
	}
	if err := validEntries("instances", s.Instances, func(v *instance) string { return v.ID }); err != nil {
		return err
	}
	if err := validEntries("disks", s.Disks, func(v *disk) string { return v.ID }); err != nil {
		return err
	}
	if err := validEntries("snapshots", s.Snapshots, func(v *snapshot) string { return v.ID }); err != nil {
		return err
	}
	if err := validEntries("snapshot_groups", s.Groups, func(v *snapshotGroup) string { return v.ID }); err != nil {
		return err
	}
	if err := validEntries("auto_snapshot_policies", s.Policies, func(v *autoSnapshotPolicy) string { return v.ID }); err != nil {
		return err
	}
	for k, te := range s.Tokens {
		if te == nil {
			return fmt.Errorf("tokens[%q] is null", k)
		}
		if te.Result == nil {
			return fmt.Errorf("tokens[%q] has no result", k)
		}
	}
	return nil
}

func validEntries[T any](name string, m map[string]*T, id func(*T) string) error {
	for k, v := range m {
		if v == nil {
			return fmt.Errorf("%s[%q] is null", name, k)
		}
		if got := id(v); got != k {
			return fmt.Errorf("%s[%q] holds the id %q", name, k, got)
		}
	}
	return nil
}
