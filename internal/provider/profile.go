package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// aliyunProfile is one profile of the aliyun CLI's config.json, with the
// fields of every mode the provider supports.
type aliyunProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RegionID        string `json:"region_id"`
	// RamRoleArn and ChainableRamRoleArn
	RAMRoleARN     string `json:"ram_role_arn"`
	RAMSessionName string `json:"ram_session_name"`
	ExpiredSeconds int    `json:"expired_seconds"`
	StsRegion      string `json:"sts_region"`
	ExternalID     string `json:"external_id"`
	Policy         string `json:"policy"`
	SourceProfile  string `json:"source_profile"`
	// EcsRamRole
	RAMRoleName string `json:"ram_role_name"`
	// OIDC
	OIDCProviderARN string `json:"oidc_provider_arn"`
	OIDCTokenFile   string `json:"oidc_token_file"`
	// CloudSSO, as the CLI saves it after signing in
	CloudSSOSignInURL    string `json:"cloud_sso_sign_in_url"`
	CloudSSOAccountID    string `json:"cloud_sso_account_id"`
	CloudSSOAccessConfig string `json:"cloud_sso_access_config"`
	AccessToken          string `json:"access_token"`
	AccessTokenExpire    int64  `json:"cloud_sso_access_token_expire"`
}

type aliyunConfigFile struct {
	Current  string          `json:"current"`
	Profiles []aliyunProfile `json:"profiles"`
}

// supportedProfileModes are the modes whose credentials the provider can
// obtain by itself (as the SDK's profile provider does). The modes are
// mapped here, not by github.com/aliyun/credentials-go's CLIProfile provider:
// each becomes a step of the provider's own credential chain (its STS
// endpoint and region, retries, injected clock, redaction, and errors on the
// attribute that configured it). CloudSSO's protocol is the library's
// (ecsapi.CloudSSOSource). OAuth and External are not supported: they need
// a browser sign-in or run a command of the file's choosing.
const supportedProfileModes = "AK, StsToken, RamRoleArn, EcsRamRole, ChainableRamRoleArn, OIDC, CloudSSO"

// cliConfig is a loaded config.json.
type cliConfig struct {
	file string
	cfg  aliyunConfigFile
	// warning says why the file is not private, "" when it is.
	warning string
}

// errNoConfigFile says the file does not exist.
var errNoConfigFile = errors.New("no aliyun CLI configuration file")

// loadAliyunConfig reads the aliyun CLI's config.json at file.
func loadAliyunConfig(file string) (*cliConfig, error) {
	raw, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", errNoConfigFile, file)
	}
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", file, err)
	}
	var cfg aliyunConfigFile
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (it must be the aliyun CLI's config.json, not an ini credentials file): %w", file, err)
	}
	return &cliConfig{file: file, cfg: cfg, warning: credentialsFileWarning(file)}, nil
}

// credentialsFileWarning says what makes a credentials file less private
// than it should be, as the ssh and aliyun CLIs warn: a mode that lets
// other users read it, or a symbolic link (whoever can change the link, or
// a directory on its way, chooses the keys used). "" when neither.
func credentialsFileWarning(file string) string {
	var why []string
	if fi, err := os.Lstat(file); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		why = append(why, "it is a symbolic link (whoever can change the link chooses the keys used: point "+
			"shared_credentials_file at the file itself)")
	}
	if fi, err := os.Stat(file); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		why = append(why, fmt.Sprintf("its mode %04o lets other users of this machine read or change it "+
			"(chmod 600 %s)", fi.Mode().Perm(), file))
	}
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf("The credentials file %s holds secret keys, but %s.", file, strings.Join(why, ", and "))
}

// defaultAliyunConfigPath is ~/.aliyun/config.json.
func defaultAliyunConfigPath(homeDir func() (string, error)) (string, error) {
	home, err := homeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory to read the aliyun CLI configuration: %w", err)
	}
	return filepath.Join(home, ".aliyun", "config.json"), nil
}

// profile returns the named profile, or the file's current one for "".
func (c *cliConfig) profile(name string) (aliyunProfile, error) {
	if name == "" {
		name = c.cfg.Current
		if name == "" {
			name = "default"
		}
	}
	var names []string
	for _, p := range c.cfg.Profiles {
		names = append(names, p.Name)
		if p.Name == name {
			return p, nil
		}
	}
	return aliyunProfile{}, fmt.Errorf("profile %q is not in %s; profiles there: %s",
		name, c.file, strings.Join(names, ", "))
}

// profileCredentials turns a profile into a credential chain. AK and
// StsToken profiles give static keys; RamRoleArn assumes a role with the
// profile's key; ChainableRamRoleArn assumes a role with the credentials
// of its source profile (itself any mode); EcsRamRole uses the machine's
// role; OIDC exchanges the token in a file; CloudSSO exchanges the access
// token the CLI saved at sign-in for the access configuration's keys.
func (c *cliConfig) profileCredentials(p aliyunProfile, getenv func(string) string) (credentialChain, error) {
	return c.chainFor(p, getenv, map[string]bool{})
}

func (c *cliConfig) chainFor(p aliyunProfile, getenv func(string) string, seen map[string]bool) (credentialChain, error) {
	where := fmt.Sprintf("profile %q in %s", p.Name, c.file)
	if seen[p.Name] {
		return credentialChain{}, fmt.Errorf("%s: source_profile chains back to itself", where)
	}
	seen[p.Name] = true
	label := fmt.Sprintf("profile %q", p.Name)
	keys := func() (credentialBase, error) {
		if p.AccessKeyID == "" || p.AccessKeySecret == "" {
			return credentialBase{}, fmt.Errorf("%s (mode %s) has no access_key_id and access_key_secret", where, p.Mode)
		}
		return credentialBase{kind: baseStatic, label: label, description: where,
			accessKey: p.AccessKeyID, secretKey: p.AccessKeySecret}, nil
	}
	role := func() (roleStep, error) {
		if p.RAMRoleARN == "" {
			return roleStep{}, fmt.Errorf("%s (mode %s) has no ram_role_arn", where, p.Mode)
		}
		d := time.Duration(p.ExpiredSeconds) * time.Second
		if p.ExpiredSeconds == 0 {
			d = time.Duration(defaultSessionSeconds) * time.Second
		}
		return roleStep{label: label + " (ram_role_arn)", description: where, in: ecsapi.AssumeRoleInput{
			RoleARN: p.RAMRoleARN, SessionName: orDefault(p.RAMSessionName, sessionNameFromEnv(getenv)),
			Duration: d, ExternalID: p.ExternalID, Policy: p.Policy}}, nil
	}
	switch p.Mode {
	case "AK", "":
		b, err := keys()
		return credentialChain{base: b}, err
	case "StsToken":
		b, err := keys()
		b.securityToken = p.StsToken
		return credentialChain{base: b}, err
	case "RamRoleArn":
		b, err := keys()
		if err != nil {
			return credentialChain{}, err
		}
		r, err := role()
		return credentialChain{base: b, roles: []roleStep{r}, stsRegion: p.StsRegion}, err
	case "ChainableRamRoleArn":
		if p.SourceProfile == "" {
			return credentialChain{}, fmt.Errorf("%s (mode ChainableRamRoleArn) has no source_profile", where)
		}
		src, err := c.profile(p.SourceProfile)
		if err != nil {
			return credentialChain{}, fmt.Errorf("%s: source_profile: %w", where, err)
		}
		chain, err := c.chainFor(src, getenv, seen)
		if err != nil {
			return credentialChain{}, err
		}
		r, err := role()
		if err != nil {
			return credentialChain{}, err
		}
		chain.roles = append(chain.roles, r)
		if p.StsRegion != "" {
			chain.stsRegion = p.StsRegion
		}
		return chain, nil
	case "EcsRamRole":
		return credentialChain{base: credentialBase{kind: baseInstance, label: label, description: where,
			instanceRole: p.RAMRoleName}}, nil
	case "OIDC":
		if p.OIDCProviderARN == "" || p.RAMRoleARN == "" || p.OIDCTokenFile == "" {
			return credentialChain{}, fmt.Errorf("%s (mode OIDC) needs oidc_provider_arn, ram_role_arn and oidc_token_file", where)
		}
		d := time.Duration(defaultSessionSeconds) * time.Second
		if p.ExpiredSeconds > 0 {
			d = time.Duration(p.ExpiredSeconds) * time.Second
		}
		return credentialChain{base: credentialBase{kind: baseOIDC, label: label, description: where, oidc: oidcSettings{
			providerARN: p.OIDCProviderARN, roleARN: p.RAMRoleARN, duration: d,
			sessionName: orDefault(p.RAMSessionName, sessionNameFromEnv(getenv)),
			tokenFile:   p.OIDCTokenFile, tokenSource: "oidc_token_file " + p.OIDCTokenFile + " of " + where,
		}}, stsRegion: p.StsRegion}, nil
	case "CloudSSO":
		if p.CloudSSOSignInURL == "" || p.CloudSSOAccountID == "" || p.CloudSSOAccessConfig == "" {
			return credentialChain{}, fmt.Errorf("%s (mode CloudSSO) needs cloud_sso_sign_in_url, cloud_sso_account_id "+
				"and cloud_sso_access_config", where)
		}
		return credentialChain{base: credentialBase{kind: baseCloudSSO, label: label, description: where,
			cloudSSO: ecsapi.CloudSSOInput{SignInURL: p.CloudSSOSignInURL, AccountID: p.CloudSSOAccountID,
				AccessConfig: p.CloudSSOAccessConfig, AccessToken: p.AccessToken, AccessTokenExpire: p.AccessTokenExpire},
			profileName: p.Name}}, nil
	default:
		return credentialChain{}, fmt.Errorf("%s uses mode %q; supported modes are %s", where, p.Mode, supportedProfileModes)
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
