package emulator

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

// stsDocument is the JSON of GET/POST /_emulator/sts and of the file that
// --sts-config names. In a POST, every field present replaces the current
// value and every absent one keeps it.
type stsDocument struct {
	TTL           *string         `json:"ttl,omitempty"`
	Roles         *[]STSRole      `json:"roles,omitempty"`
	OIDCProviders *[]OIDCProvider `json:"oidc_providers,omitempty"`
	InstanceRole  *string         `json:"instance_role,omitempty"`
	RequireIMDSv2 *bool           `json:"require_imdsv2,omitempty"`
	STSOnlyKeys   *[]string       `json:"sts_only_keys,omitempty"`
}

// apply merges d into opts.
func (d stsDocument) apply(opts STSOptions) (STSOptions, error) {
	if d.TTL != nil {
		ttl, err := time.ParseDuration(*d.TTL)
		if err != nil || ttl <= 0 {
			return opts, fmt.Errorf("ttl must be a positive Go duration such as \"15m\", not %q", *d.TTL)
		}
		opts.TTL = ttl
	}
	if d.Roles != nil {
		opts.Roles = *d.Roles
	}
	if d.OIDCProviders != nil {
		opts.OIDCProviders = *d.OIDCProviders
	}
	if d.InstanceRole != nil {
		opts.InstanceRole = *d.InstanceRole
	}
	if d.RequireIMDSv2 != nil {
		opts.RequireIMDSv2 = *d.RequireIMDSv2
	}
	if d.STSOnlyKeys != nil {
		opts.STSOnlyKeys = *d.STSOnlyKeys
	}
	return opts, nil
}

// STSOptions returns the current STS configuration.
func (e *Emulator) STSOptions() STSOptions { return e.sts.options() }

// ConfigureSTS replaces the STS configuration. Keys issued before stay
// valid until they expire.
func (e *Emulator) ConfigureSTS(opts STSOptions) error { return e.sts.configure(opts) }

// adminSTS serves GET and POST /_emulator/sts.
func (e *Emulator) adminSTS(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		b, err := readAdminBody(r)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		var doc stsDocument
		if err := strictJSON(b, &doc); err != nil {
			adminError(w, http.StatusBadRequest, "bad STS JSON: "+err.Error())
			return
		}
		opts, err := doc.apply(e.sts.options())
		if err == nil {
			err = e.sts.configure(opts)
		}
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	opts := e.sts.options()
	ttl := e.sts.effectiveTTL().String()
	adminJSON(w, stsDocument{TTL: &ttl, Roles: &opts.Roles, OIDCProviders: &opts.OIDCProviders,
		InstanceRole: &opts.InstanceRole, RequireIMDSv2: &opts.RequireIMDSv2, STSOnlyKeys: &opts.STSOnlyKeys})
}

func (s *stsState) effectiveTTL() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ttl()
}

// stsFlags registers the command's STS flags; the returned function builds
// the options once the flags are parsed.
func stsFlags(fs *flag.FlagSet) func() (STSOptions, error) {
	ttl := fs.Duration("sts-ttl", DefaultSTSTTL, "longest lifetime of the temporary keys STS and the metadata service issue (wall clock)")
	file := fs.String("sts-config", "", "JSON file with roles, oidc_providers, instance_role, require_imdsv2 (see README)")
	role := fs.String("instance-role", "", "RAM role of the machine, served by the metadata service (empty: none)")
	imdsv2 := fs.Bool("require-imdsv2", false, "refuse metadata reads without an IMDSv2 session token")
	return func() (STSOptions, error) {
		var opts STSOptions
		if *file != "" {
			b, err := os.ReadFile(*file)
			if err != nil {
				return opts, err
			}
			var doc stsDocument
			if err := strictJSON(b, &doc); err != nil {
				return opts, fmt.Errorf("%s: %w", *file, err)
			}
			if opts, err = doc.apply(opts); err != nil {
				return opts, fmt.Errorf("%s: %w", *file, err)
			}
		}
		if *ttl <= 0 {
			return opts, fmt.Errorf("--sts-ttl must be positive")
		}
		if isFlagSet(fs, "sts-ttl") || opts.TTL == 0 {
			opts.TTL = *ttl
		}
		if *role != "" {
			opts.InstanceRole = *role
		}
		if *imdsv2 {
			opts.RequireIMDSv2 = true
		}
		return opts, nil
	}
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
