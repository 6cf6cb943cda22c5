package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The credential chain: where the provider's keys come from, and the roles
// assumed on top of them. resolveSettings (config.go) calls
// resolveCredentials; ecsapi turns the chain into refreshing sources.

// credentialChain is how the provider gets its keys: a base source and the
// roles assumed on top of it, in order.
type credentialChain struct {
	base  credentialBase
	roles []roleStep
	// stsRegion, from a profile's sts_region, picks the regional STS endpoint.
	stsRegion string
}

type baseKind int

const (
	baseStatic baseKind = iota
	baseOIDC
	baseInstance
	baseCloudSSO
)

// credentialBase is where the first keys come from.
type credentialBase struct {
	kind baseKind
	// label names the source in errors and logs ("static keys",
	// "assume_role_with_oidc", "ecs_role_name", `profile "dev"`).
	label string
	// attr is the provider attribute that configured it (empty when the
	// environment or a profile did); description says where it was found.
	attr        path.Path
	description string

	accessKey, secretKey, securityToken string
	oidc                                oidcSettings
	instanceRole                        string
	disableIMDSv1                       bool
	cloudSSO                            ecsapi.CloudSSOInput
	profileName                         string // the CLI profile it came from, if any
}

// oidcSettings configure AssumeRoleWithOIDC.
type oidcSettings struct {
	providerARN, roleARN, sessionName, policy string
	duration                                  time.Duration
	// token is the token itself, or tokenFile a file read at every renewal.
	token, tokenFile string
	// tokenSource says where the token came from; tokenAttr is the
	// attribute that named it (empty for the environment).
	tokenSource string
	tokenAttr   path.Path
}

// roleStep is one AssumeRole on top of the keys before it.
type roleStep struct {
	label       string
	attr        path.Path
	description string
	in          ecsapi.AssumeRoleInput
}

// resolveCredentials finds the base credentials, in this order: the
// assume_role_with_oidc block; static keys (attributes, then environment,
// the profile filling a half when it holds keys); OIDC from the environment;
// the profile (named, else the file's current one); the machine's RAM role
// (ecs_role_name). Then assume_role, when configured, goes on top.
func resolveCredentials(m providerModel, getenv func(string) string, profiles *profileLoader) (credentialChain, []string, diag.Diagnostics) {
	var diags diag.Diagnostics
	var chain credentialChain
	found := false

	if m.AssumeRoleWithOIDC != nil {
		b, d := oidcFromBlock(m.AssumeRoleWithOIDC, getenv)
		diags.Append(d...)
		if diags.HasError() {
			return chain, nil, diags
		}
		chain.base, found = b, true
	}

	if !found {
		ak, akFrom := firstSet(m.AccessKey, getenv, envAccessKey)
		sk, skFrom := firstSet(m.SecretKey, getenv, envSecretKey)
		if ak != "" || sk != "" {
			token, tokenFrom := firstSet(m.SecurityToken, getenv, envSecurityToken)
			// A profile that holds keys may fill in the missing half.
			if p, _ := profiles.load(); p != nil && (p.Mode == "AK" || p.Mode == "" || p.Mode == "StsToken") {
				if ak == "" {
					ak, akFrom = p.AccessKeyID, fmt.Sprintf("profile %q", p.Name)
				}
				if sk == "" {
					sk, skFrom = p.AccessKeySecret, fmt.Sprintf("profile %q", p.Name)
				}
				if token == "" && p.Mode == "StsToken" {
					token = p.StsToken
				}
			}
			var missing []string
			if ak == "" {
				missing = append(missing, describeSources("access_key", envAccessKey)+", or the profile")
			}
			if sk == "" {
				missing = append(missing, describeSources("secret_key", envSecretKey)+", or the profile")
			}
			if len(missing) > 0 {
				return chain, missing, diags
			}
			chain.base = credentialBase{kind: baseStatic, label: "static keys", accessKey: ak, secretKey: sk, securityToken: token,
				description: "access key from " + akFrom + ", secret from " + skFrom}
			if tokenFrom != "" {
				chain.base.description += ", security token from " + tokenFrom
			}
			if !m.AccessKey.IsNull() {
				chain.base.attr = path.Root("access_key")
			}
			found = true
			diags.Append(warnUnusedSources(m, profiles, akFrom)...)
		}
	}

	if !found {
		if arn, _ := firstSet(types.StringNull(), getenv, envOIDCProviderARN); arn != "" {
			b, d := oidcFromEnv(getenv)
			diags.Append(d...)
			if diags.HasError() {
				return chain, nil, diags
			}
			chain.base, found = b, true
		}
	}

	if !found {
		p, err := profiles.load()
		if err != nil {
			diags.AddAttributeError(path.Root("profile"), "Cannot use the aliyun CLI profile", err.Error())
			return chain, nil, diags
		}
		if p != nil {
			pc, err := profiles.cfg.profileCredentials(*p, getenv)
			if err != nil {
				diags.AddAttributeError(path.Root("profile"), "Cannot use the aliyun CLI profile", err.Error())
				return chain, nil, diags
			}
			if !m.Profile.IsNull() {
				pc.base.attr = path.Root("profile")
				for i := range pc.roles {
					pc.roles[i].attr = path.Root("profile")
				}
			}
			chain, found = pc, true
		}
	}

	if !found {
		role, from := firstSet(m.ECSRoleName, getenv, envECSRole)
		if role != "" && (!m.ECSRoleName.IsNull() || !isTruthy(getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED"))) {
			chain.base = credentialBase{kind: baseInstance, label: "ecs_role_name", instanceRole: role,
				description:   "the machine's RAM role " + strconv.Quote(role) + " (from " + from + ")",
				disableIMDSv1: isTruthy(getenv("ALIBABA_CLOUD_IMDSV1_DISABLED"))}
			if !m.ECSRoleName.IsNull() {
				chain.base.attr = path.Root("ecs_role_name")
			}
			found = true
		}
	}

	if !found {
		return chain, []string{credentialSourcesText(getenv)}, diags
	}
	if chain.base.kind == baseInstance {
		chain.base.disableIMDSv1 = chain.base.disableIMDSv1 || isTruthy(getenv("ALIBABA_CLOUD_IMDSV1_DISABLED"))
	}

	step, ok, d := assumeRoleStep(m, getenv, chain.base.kind == baseOIDC)
	diags.Append(d...)
	if ok {
		chain.roles = append(chain.roles, step)
	}
	return chain, nil, diags
}

// warnUnusedSources warns when a credential source configured on the
// provider is not used because static keys were found first.
func warnUnusedSources(m providerModel, profiles *profileLoader, keysFrom string) diag.Diagnostics {
	var diags diag.Diagnostics
	if p, _ := profiles.load(); p != nil && profiles.named != "" && p.Mode != "AK" && p.Mode != "" && p.Mode != "StsToken" {
		diags.AddAttributeWarning(path.Root("profile"), "Profile not used for credentials",
			fmt.Sprintf("Profile %q (mode %s) is not used for credentials: static keys were found first (the access key from %s). "+
				"Static keys take precedence over a profile; unset them to use the profile.", p.Name, p.Mode, keysFrom))
	}
	if !m.ECSRoleName.IsNull() && m.ECSRoleName.ValueString() != "" {
		diags.AddAttributeWarning(path.Root("ecs_role_name"), "ecs_role_name not used",
			fmt.Sprintf("The machine's RAM role is not used: static keys were found first (the access key from %s). "+
				"Static keys take precedence over ecs_role_name; unset them to use the role.", keysFrom))
	}
	return diags
}

// credentialSourcesText lists every place credentials can come from.
func credentialSourcesText(getenv func(string) string) string {
	text := "credentials, from one of:\n" +
		"      - an access key: provider attributes \"access_key\" and \"secret_key\", or environment variables " +
		strings.Join(envAccessKey, "/") + " and " + strings.Join(envSecretKey, "/") + "\n" +
		"      - block \"assume_role_with_oidc\", or environment variables ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_ROLE_ARN and a token " +
		"(ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_OIDC_TOKEN or " + envTFCToken + ")\n" +
		"      - an aliyun CLI profile: provider attribute \"profile\", environment variables " + strings.Join(envProfile, ", ") +
		", or the current profile of shared_credentials_file (" + strings.Join(envCredentialsFile, ", ") + ", default ~/.aliyun/config.json)\n" +
		"      - the RAM role of this ECS machine: provider attribute \"ecs_role_name\", environment variable " + envECSRole[0]
	if getenv(envTFCToken) != "" {
		text += "\n    " + envTFCToken + " is set (a Terraform Cloud run with workload identity): to use it, add an " +
			"assume_role_with_oidc block with oidc_provider_arn and role_arn (or set ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_ROLE_ARN)"
	}
	return text
}

// assumeRoleStep is the assume_role block, or ALIBABA_CLOUD_ROLE_ARN alone
// when no OIDC source uses it.
func assumeRoleStep(m providerModel, getenv func(string) string, baseIsOIDC bool) (roleStep, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	root := path.Root("assume_role")
	b := m.AssumeRole
	if b == nil {
		arn, from := firstSet(types.StringNull(), getenv, envRoleARN)
		if arn == "" || baseIsOIDC {
			return roleStep{}, false, diags
		}
		return roleStep{label: "assume_role", description: "role " + arn + " (from " + from + ")", in: ecsapi.AssumeRoleInput{
			RoleARN: arn, SessionName: sessionNameFromEnv(getenv), Duration: defaultSessionSeconds * time.Second}}, true, diags
	}
	arn, from := firstSet(b.RoleARN, getenv, envRoleARN)
	if arn == "" {
		diags.AddAttributeError(root.AtName("role_arn"), "Missing assume_role.role_arn",
			"The assume_role block needs the ARN of the role to assume (acs:ram::<account id>:role/<role name>): "+
				"set role_arn, or the environment variable "+strings.Join(envRoleARN, " or ")+".")
		return roleStep{}, false, diags
	}
	session, _ := firstSet(b.SessionName, getenv, envSessionName)
	secs := int64(defaultSessionSeconds)
	if !b.SessionExpiration.IsNull() && !b.SessionExpiration.IsUnknown() {
		secs = b.SessionExpiration.ValueInt64()
	}
	return roleStep{label: "assume_role", attr: root, description: "role " + arn + " (from " + from + ")",
		in: ecsapi.AssumeRoleInput{RoleARN: arn, SessionName: orDefault(session, defaultSessionName),
			Duration: time.Duration(secs) * time.Second, ExternalID: b.ExternalID.ValueString(), Policy: b.Policy.ValueString()}}, true, diags
}

func sessionNameFromEnv(getenv func(string) string) string {
	v, _ := firstSet(types.StringNull(), getenv, envSessionName)
	return orDefault(v, defaultSessionName)
}

// oidcFromBlock reads the assume_role_with_oidc block, each value falling
// back to its environment variable.
func oidcFromBlock(b *assumeRoleWithOIDCModel, getenv func(string) string) (credentialBase, diag.Diagnostics) {
	var diags diag.Diagnostics
	root := path.Root("assume_role_with_oidc")
	o := oidcSettings{duration: defaultSessionSeconds * time.Second}
	o.providerARN, _ = firstSet(b.OIDCProviderARN, getenv, envOIDCProviderARN)
	o.roleARN, _ = firstSet(b.RoleARN, getenv, envRoleARN)
	session, _ := firstSet(b.RoleSessionName, getenv, envSessionName)
	o.sessionName = orDefault(session, defaultSessionName)
	o.policy = b.Policy.ValueString()
	if !b.SessionExpiration.IsNull() && !b.SessionExpiration.IsUnknown() {
		o.duration = time.Duration(b.SessionExpiration.ValueInt64()) * time.Second
	}
	if o.providerARN == "" {
		diags.AddAttributeError(root.AtName("oidc_provider_arn"), "Missing assume_role_with_oidc.oidc_provider_arn",
			"Set oidc_provider_arn (acs:ram::<account id>:oidc-provider/<name>, the OIDC provider registered in RAM) "+
				"or the environment variable "+envOIDCProviderARN[0]+".")
	}
	if o.roleARN == "" {
		diags.AddAttributeError(root.AtName("role_arn"), "Missing assume_role_with_oidc.role_arn",
			"Set role_arn (acs:ram::<account id>:role/<role name>, the role whose trust policy trusts the OIDC provider) "+
				"or the environment variable "+strings.Join(envRoleARN, " or ")+".")
	}
	switch {
	case b.OIDCToken.ValueString() != "":
		o.token, o.tokenSource, o.tokenAttr = b.OIDCToken.ValueString(), "oidc_token", root.AtName("oidc_token")
	case b.OIDCTokenFile.ValueString() != "":
		o.tokenFile, o.tokenAttr = b.OIDCTokenFile.ValueString(), root.AtName("oidc_token_file")
		o.tokenSource = "oidc_token_file " + o.tokenFile
	case b.OIDCTokenEnv.ValueString() != "":
		name := b.OIDCTokenEnv.ValueString()
		o.tokenAttr = root.AtName("oidc_token_env")
		if o.token = getenv(name); o.token == "" {
			diags.AddAttributeError(o.tokenAttr, "OIDC token variable not set",
				fmt.Sprintf("oidc_token_env names the environment variable %s, which is not set. In Terraform Cloud, "+
					"a tagged token TFC_WORKLOAD_IDENTITY_TOKEN_<TAG> exists when the workspace sets "+
					"TFC_WORKLOAD_IDENTITY_AUDIENCE_<TAG>.", name))
		}
		o.tokenSource = "environment variable " + name
	default:
		if !oidcTokenFromEnv(getenv, &o) {
			diags.AddAttributeError(root, "Missing OIDC token",
				"assume_role_with_oidc needs a token: set oidc_token, oidc_token_file or oidc_token_env, or the environment "+
					"variable ALIBABA_CLOUD_OIDC_TOKEN or ALIBABA_CLOUD_OIDC_TOKEN_FILE. In Terraform Cloud, set the workspace "+
					"variable TFC_WORKLOAD_IDENTITY_AUDIENCE so that each run gets "+envTFCToken+".")
		}
	}
	return credentialBase{kind: baseOIDC, label: "assume_role_with_oidc", attr: root, oidc: o,
		description: "role " + o.roleARN + " through OIDC provider " + o.providerARN}, diags
}

// oidcTokenFromEnv takes the token from the environment: ALIBABA_CLOUD_OIDC_TOKEN,
// then ALIBABA_CLOUD_OIDC_TOKEN_FILE, then TFC_WORKLOAD_IDENTITY_TOKEN.
func oidcTokenFromEnv(getenv func(string) string, o *oidcSettings) bool {
	if v := getenv(envOIDCToken[0]); v != "" {
		o.token, o.tokenSource = v, "environment variable "+envOIDCToken[0]
		return true
	}
	if v := getenv(envOIDCTokenFile[0]); v != "" {
		o.tokenFile, o.tokenSource = v, "the file "+v+" (from "+envOIDCTokenFile[0]+")"
		return true
	}
	if v := getenv(envTFCToken); v != "" {
		o.token, o.tokenSource = v, "environment variable "+envTFCToken
		return true
	}
	return false
}

// oidcFromEnv is OIDC configured by environment variables alone.
func oidcFromEnv(getenv func(string) string) (credentialBase, diag.Diagnostics) {
	var diags diag.Diagnostics
	o := oidcSettings{duration: defaultSessionSeconds * time.Second, sessionName: sessionNameFromEnv(getenv)}
	o.providerARN = getenv(envOIDCProviderARN[0])
	o.roleARN, _ = firstSet(types.StringNull(), getenv, envRoleARN)
	var missing []string
	if o.roleARN == "" {
		missing = append(missing, strings.Join(envRoleARN, " or "))
	}
	if !oidcTokenFromEnv(getenv, &o) {
		missing = append(missing, "a token (ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_OIDC_TOKEN or "+envTFCToken+")")
	}
	if len(missing) > 0 {
		diags.AddError("Incomplete OIDC configuration",
			envOIDCProviderARN[0]+" is set, so the provider would assume a role with an OIDC token, but it lacks "+
				strings.Join(missing, " and ")+".")
	}
	return credentialBase{kind: baseOIDC, label: "assume_role_with_oidc",
		description: "role " + o.roleARN + " through OIDC provider " + o.providerARN + " (from the environment)", oidc: o}, diags
}

// readTokenFile reads an OIDC token file (the token is re-read at every
// renewal, so a rotated file is picked up).
func readTokenFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("the OIDC token file cannot be read: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("the OIDC token file %s is empty", name)
	}
	return t, nil
}
