package provider

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	roleARNPattern         = regexp.MustCompile(`^acs:ram::\d{1,32}:role/[A-Za-z0-9.@_-]{1,64}$`)
	oidcProviderARNPattern = regexp.MustCompile(`^acs:ram::\d{1,32}:oidc-provider/[A-Za-z0-9._-]{1,128}$`)
	sessionNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_.@-]{2,64}$`)
)

// buildCredentials turns the resolved chain into one credential source,
// shared by every resource: the base source, then each role on top.
func buildCredentials(s settings, transport http.RoundTripper, userAgent string) (ecsapi.CredentialSource, error) {
	var sts *ecsapi.STS
	stsClient := func() (*ecsapi.STS, error) {
		if sts != nil {
			return sts, nil
		}
		var err error
		sts, err = ecsapi.NewSTS(ecsapi.STSConfig{Endpoint: s.stsHost, Scheme: s.stsScheme, RegionID: s.region,
			Transport: transport, UserAgent: userAgent, MaxRetries: min(s.maxRetries, 5), ReadTimeout: s.readTimeout})
		return sts, err
	}
	b := s.creds.base
	var src ecsapi.CredentialSource
	switch b.kind {
	case baseStatic:
		src = ecsapi.StaticCredentials(b.accessKey, b.secretKey, b.securityToken)
	case baseOIDC:
		c, err := stsClient()
		if err != nil {
			return nil, err
		}
		o := b.oidc
		token := func() (string, error) { return o.token, nil }
		if o.tokenFile != "" {
			token = func() (string, error) { return readTokenFile(o.tokenFile) }
		}
		src = c.OIDCRoleSource(b.label, ecsapi.OIDCInput{ProviderARN: o.providerARN, RoleARN: o.roleARN,
			SessionName: o.sessionName, Duration: o.duration, Policy: o.policy}, token)
	case baseInstance:
		src = ecsapi.InstanceRoleSource(b.label, ecsapi.MetadataConfig{Endpoint: s.metadataEndpoint,
			RoleName: b.instanceRole, DisableIMDSv1: b.disableIMDSv1})
	case baseCloudSSO:
		var err error
		if src, err = ecsapi.CloudSSOSource(b.label, b.cloudSSO); err != nil {
			return nil, err
		}
	}
	for _, step := range s.creds.roles {
		c, err := stsClient()
		if err != nil {
			return nil, err
		}
		src = c.AssumeRoleSource(step.label, src, step.in)
	}
	return src, nil
}

// addCredentialError reports a failure to get credentials on the
// attribute that configured the failing source, with what to check.
func addCredentialError(diags *diag.Diagnostics, chain credentialChain, err error) {
	var ce *ecsapi.CredentialError
	if !errors.As(err, &ce) {
		diags.AddError("Cannot get credentials", err.Error())
		return
	}
	code := ecsapi.ErrorCode(err)
	add := func(p path.Path, summary, detail string) {
		detail += "\n\n" + err.Error()
		if p.Equal(path.Empty()) {
			diags.AddError(summary, detail)
			return
		}
		diags.AddAttributeError(p, summary, detail)
	}
	for _, step := range chain.roles {
		if step.label == ce.Source {
			addRoleError(add, chain, step, code)
			return
		}
	}
	b := chain.base
	switch b.kind {
	case baseOIDC:
		addOIDCError(add, b, code)
	case baseInstance:
		add(b.attr, "Cannot get the machine's RAM role credentials",
			fmt.Sprintf("The keys of %s could not be read from the instance metadata service. Terraform must run on an "+
				"ECS instance with this RAM role attached (ecs_role_name names the role, not a user).", b.description))
	case baseCloudSSO:
		add(b.attr, "Cannot get the CloudSSO credentials",
			fmt.Sprintf("The keys of %s could not be obtained from its CloudSSO sign-in portal. The access token "+
				"the aliyun CLI saved expires: sign in again with aliyun configure --profile %s --mode CloudSSO.",
				b.description, b.profileName))
	default:
		add(b.attr, "Cannot get credentials", "The credentials of "+b.description+" could not be obtained.")
	}
}

// addRoleError explains a refused AssumeRole.
func addRoleError(add func(path.Path, string, string), chain credentialChain, step roleStep, code string) {
	block := step.label == "assume_role" && !step.attr.Equal(path.Empty())
	at := func(name string) path.Path {
		if block {
			return step.attr.AtName(name)
		}
		return step.attr
	}
	field := func(name, env string) string {
		if block {
			return "assume_role." + name
		}
		if step.label == "assume_role" {
			return env
		}
		return "the profile's " + name
	}
	arn := step.in.RoleARN
	switch {
	case code == "NoPermission" && step.in.ExternalID != "":
		add(at("external_id"), "Cannot assume the role: wrong external id or untrusted caller",
			fmt.Sprintf("STS refused to let %s assume %s (NoPermission). The role's trust policy must trust that "+
				"account or user, and the external id it requires must equal %s exactly.",
				chain.base.description, arn, field("external_id", "the external_id")))
	case code == "NoPermission":
		add(at("role_arn"), "Cannot assume the role: the caller is not trusted",
			fmt.Sprintf("STS refused to let %s assume %s (NoPermission). The role's trust policy must trust that "+
				"account or user; if it requires an external id, set %s.",
				chain.base.description, arn, field("external_id", "an external_id")))
	case code == "EntityNotExist.Role":
		add(at("role_arn"), "Cannot assume the role: it does not exist",
			fmt.Sprintf("The role %s (%s) does not exist in that account (EntityNotExist.Role). Check the account id and "+
				"the role name.", arn, field("role_arn", "from ALIBABA_CLOUD_ROLE_ARN")))
	case strings.HasPrefix(code, "InvalidParameter."):
		name := map[string]string{"RoleArn": "role_arn", "RoleSessionName": "session_name",
			"DurationSeconds": "session_expiration", "ExternalId": "external_id", "PolicyGrammar": "policy",
			"PolicySize": "policy"}[strings.TrimPrefix(code, "InvalidParameter.")]
		if name == "" {
			name = "role_arn"
		}
		add(at(name), "Cannot assume the role: STS refused a setting",
			fmt.Sprintf("STS refused the value of %s (%s). session_expiration must not exceed the role's maximum "+
				"session duration.", field(name, "ALIBABA_CLOUD_ROLE_SESSION_NAME or ALIBABA_CLOUD_ROLE_ARN"), code))
	case strings.HasPrefix(code, "InvalidAccessKeyId") || strings.HasPrefix(code, "InvalidSecurityToken") ||
		code == "SignatureDoesNotMatch":
		add(chain.base.attr, "Cannot assume the role: the base credentials were refused",
			fmt.Sprintf("STS refused the credentials used to assume %s: %s (%s).", arn, chain.base.description, code))
	default:
		add(at("role_arn"), "Cannot assume the role", fmt.Sprintf("Assuming %s with %s failed.", arn, chain.base.description))
	}
}

// addOIDCError explains a refused AssumeRoleWithOIDC.
func addOIDCError(add func(path.Path, string, string), b credentialBase, code string) {
	o := b.oidc
	at := func(name string) path.Path {
		if b.attr.Equal(path.Empty()) {
			return b.attr
		}
		return b.attr.AtName(name)
	}
	tokenAttr := o.tokenAttr
	if tokenAttr.Equal(path.Empty()) {
		tokenAttr = b.attr
	}
	switch {
	case code == "AuthenticationFail.NoPermission":
		add(at("oidc_provider_arn"), "Unknown OIDC provider",
			fmt.Sprintf("STS knows no OIDC provider %s (%s). Register the token's issuer in RAM as an OIDC provider "+
				"(its issuer URL equal to the token's iss claim) and use that provider's ARN.", o.providerARN, code))
	case strings.HasPrefix(code, "AuthenticationFail.OIDCToken"):
		add(tokenAttr, "OIDC token not trusted",
			fmt.Sprintf("STS did not accept the OIDC token from %s (%s). The RAM OIDC provider %s must have the "+
				"token's issuer (iss) as its issuer URL, the token's audience (aud) among its client ids and the "+
				"issuer certificate's fingerprint; the token must not have expired (a Terraform Cloud token lasts "+
				"for one run phase).", o.tokenSource, code, o.providerARN))
	case code == "NoPermission":
		add(at("role_arn"), "The role does not trust this OIDC token",
			fmt.Sprintf("STS refused to let the OIDC token from %s assume %s (NoPermission). The role's trust "+
				"policy must name the OIDC provider %s as a federated principal, and its conditions on oidc:iss, "+
				"oidc:aud and oidc:sub must match the token (for Terraform Cloud, sub is "+
				"organization:<org>:project:<project>:workspace:<workspace>:run_phase:<plan|apply>).",
				o.tokenSource, o.roleARN, o.providerARN))
	case code == "EntityNotExist.Role":
		add(at("role_arn"), "The role does not exist",
			fmt.Sprintf("The role %s does not exist (EntityNotExist.Role). Check the account id and the role name.", o.roleARN))
	case code == "":
		add(tokenAttr, "Cannot read the OIDC token", fmt.Sprintf("The OIDC token from %s could not be used.", o.tokenSource))
	default:
		add(b.attr, "Cannot assume the role with the OIDC token",
			fmt.Sprintf("AssumeRoleWithOIDC of %s through %s failed.", o.roleARN, o.providerARN))
	}
}
