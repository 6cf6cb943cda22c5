package provider

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// User data comes from `user_data` (sensitive, kept in state, encoded by
// the provider), `user_data_base64` (the same, already encoded: what
// base64encode() and cloud-init renderers give, and what an alicloud_instance
// moved in often holds) or from `user_data_wo` (write-only, never in plan or
// state; `user_data_wo_version` says when a new value is meant). Either way it is set only when the
// instance is created, and a different user data replaces the instance.
//
// What the instance was made with is remembered as a salted, stretched hash
// in private state (PBKDF2-SHA256, a random 16-byte salt per instance),
// never as the text: at create from the value sent, at import from
// DescribeUserData. A plan compares the configured user data, whichever
// attribute holds it, with that hash, so:
//   - an import never stores the user data (the configuration may use the
//     write-only attribute) and its first plan replaces nothing when the
//     configuration holds the same user data: user_data, or
//     user_data_wo_version, is only recorded in the state;
//   - moving the same script from user_data to user_data_wo (or back), or
//     bumping user_data_wo_version without changing the value, replaces
//     nothing;
//   - a different user data plans what a change always planned: a
//     replacement (after an import, with a warning saying why).
// Instances created before the hash existed have none: a change of
// user_data or of user_data_wo_version replaces them, as before.

const (
	privateKeyUserDataHash = "user_data_hash"
	// userDataHashIterations stretches the hash so that a guess of a secret
	// in the user data costs time to check against a stolen state file.
	userDataHashIterations = 20000
)

var (
	pathUserData          = path.Root("user_data")
	pathUserDataBase64    = path.Root("user_data_base64")
	pathUserDataWO        = path.Root("user_data_wo")
	pathUserDataWOVersion = path.Root("user_data_wo_version")
)

// userDataHash is what private state keeps of an instance's user data.
type userDataHash struct {
	// Empty: the instance has no user data (nothing secret: no hash, whose
	// stretching would cost every create a few milliseconds).
	Empty      bool   `json:"empty,omitempty"`
	Salt       []byte `json:"salt,omitempty"`
	Iterations int    `json:"iterations,omitempty"`
	Hash       []byte `json:"pbkdf2_sha256,omitempty"`
}

func newUserDataHash(userData string) (userDataHash, error) {
	if userData == "" {
		return userDataHash{Empty: true}, nil
	}
	h := userDataHash{Salt: make([]byte, 16), Iterations: userDataHashIterations}
	if _, err := rand.Read(h.Salt); err != nil {
		return h, err
	}
	sum, err := pbkdf2.Key(sha256.New, userData, h.Salt, h.Iterations, sha256.Size)
	h.Hash = sum
	return h, err
}

// matches reports whether userData is what the hash was made of.
func (h userDataHash) matches(userData string) bool {
	if h.Empty || userData == "" {
		return h.Empty && userData == ""
	}
	if len(h.Salt) == 0 || h.Iterations <= 0 || len(h.Hash) == 0 {
		return false
	}
	sum, err := pbkdf2.Key(sha256.New, userData, h.Salt, h.Iterations, len(h.Hash))
	return err == nil && hmac.Equal(sum, h.Hash)
}

// rememberUserData keeps the salted hash of the user data an instance has.
func rememberUserData(ctx context.Context, p privateSetter, userData string) diag.Diagnostics {
	var diags diag.Diagnostics
	h, err := newUserDataHash(userData)
	if err != nil {
		diags.AddError("Cannot hash the user data", fmt.Sprintf("Hashing the user data failed: %s", err))
		return diags
	}
	raw, err := json.Marshal(h)
	if err != nil {
		diags.AddError("Cannot hash the user data", err.Error())
		return diags
	}
	return p.SetKey(ctx, privateKeyUserDataHash, raw)
}

// rememberedUserData is the hash kept for an instance, nil when there is none
// (an instance created before it existed; a request without private state).
func rememberedUserData(ctx context.Context, p privateGetter) *userDataHash {
	if p == nil {
		return nil
	}
	raw, diags := p.GetKey(ctx, privateKeyUserDataHash)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var h userDataHash
	if json.Unmarshal(raw, &h) != nil {
		return nil
	}
	return &h
}

// configuredUserData is the user data the configuration asks for: user_data,
// else user_data_wo (write-only values are in the configuration, never in
// the plan), else none (""). known is false while a value is unknown.
func configuredUserData(ctx context.Context, config tfsdk.Config) (value string, known bool) {
	for _, p := range []path.Path{pathUserData, pathUserDataBase64, pathUserDataWO} {
		var v types.String
		if !readConfigString(ctx, config, p, &v) {
			return "", false
		}
		if v.IsUnknown() {
			return "", false
		}
		if !v.IsNull() {
			if p.Equal(pathUserDataBase64) {
				return decodeUserData(v.ValueString()), true
			}
			return v.ValueString(), true
		}
	}
	return "", true
}

// encodedUserData is what RunInstances gets from the plan: user_data
// encoded, or user_data_base64 as it is ("" for none).
func (m *instanceModel) encodedUserData() string {
	if v := m.UserDataBase64.ValueString(); v != "" {
		return v
	}
	return encodeUserData(m.UserData.ValueString())
}

// userDataToSend is the user data RunInstances gets, base64-encoded by
// runInput: the plan's user_data, or user_data_wo from the configuration.
func userDataToSend(ctx context.Context, config tfsdk.Config, in *ecsapi.RunInstanceInput) (plain string, diags diag.Diagnostics) {
	var wo types.String
	diags.Append(config.GetAttribute(ctx, pathUserDataWO, &wo)...)
	if !wo.IsNull() && !wo.IsUnknown() {
		in.UserData = encodeUserData(wo.ValueString())
		return wo.ValueString(), diags
	}
	return decodeUserData(in.UserData), diags
}

// readImportedUserData reads the user data of an instance being imported
// (DescribeUserData takes one instance per call: never on every refresh)
// and keeps only its salted hash: whether the configuration uses user_data
// or user_data_wo is not known yet, and a write-only secret must never
// reach the state. user_data stays null until the first apply records it.
func (r *instanceResource) readImportedUserData(ctx context.Context, m *instanceModel, p privateSetter) diag.Diagnostics {
	var diags diag.Diagnostics
	encoded, err := r.data.client.GetUserData(ctx, m.ID.ValueString())
	if err != nil {
		diags.AddError("Cannot read the instance's user data",
			fmt.Sprintf("Reading the user data of instance %s failed: %s", m.ID.ValueString(), err))
		return diags
	}
	m.UserData, m.UserDataBase64 = types.StringNull(), types.StringNull()
	plain := ""
	if encoded != "" {
		plain = decodeUserData(encoded)
	}
	return rememberUserData(ctx, p, plain)
}

// userDataReplaceIf replaces the instance when its user data changes:
// user_data's value, or user_data_wo_version (a new write-only value). With
// a remembered hash, only a user data that really differs replaces it.
type userDataReplaceIf struct{}

var (
	_ planmodifier.String = userDataReplaceIf{}
	_ planmodifier.Int64  = userDataReplaceIf{}
)

func (userDataReplaceIf) Description(context.Context) string {
	return "A different user data replaces the instance."
}

func (m userDataReplaceIf) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (userDataReplaceIf) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return // create or destroy
	}
	changed := !req.PlanValue.Equal(req.StateValue)
	var version, priorVersion types.Int64
	if req.Plan.GetAttribute(ctx, pathUserDataWOVersion, &version).HasError() ||
		req.State.GetAttribute(ctx, pathUserDataWOVersion, &priorVersion).HasError() {
		resp.RequiresReplace = changed
		return
	}
	versionChanged := !version.Equal(priorVersion)
	imported, _ := importedMark(ctx, req.Private)
	wo := types.StringNull()
	_ = readConfigString(ctx, req.Config, pathUserDataWO, &wo)
	// The hash is worked out only where it decides something: a change, the
	// first plan after an import, or a write-only value (not in the state).
	if !changed && !versionChanged && !imported && wo.IsNull() {
		return
	}
	h := rememberedUserData(ctx, req.Private)
	if h == nil {
		resp.RequiresReplace = changed
		return
	}
	want, known := configuredUserData(ctx, req.Config)
	if !known {
		resp.RequiresReplace = changed
		return
	}
	same := h.matches(want)
	resp.RequiresReplace = changed && !same
	if same {
		return
	}
	attr := pathUserData
	var b64 types.String
	switch {
	case !wo.IsNull():
		attr = pathUserDataWO
	case readConfigString(ctx, req.Config, pathUserDataBase64, &b64) && !b64.IsNull():
		attr = pathUserDataBase64
	}
	id := stateID(ctx, req.State)
	switch {
	case (changed || versionChanged) && imported:
		resp.Diagnostics.AddAttributeWarning(attr, "The instance's user data differs from the configuration",
			fmt.Sprintf("Instance %s was imported with user data that differs from the configured one (compared "+
				"through a salted hash; the user data itself is not stored), so the plan replaces it, as any change "+
				"of user data does. If the instance must be kept, set the configuration to the user data it has.", id))
	case !changed && !versionChanged:
		resp.Diagnostics.AddAttributeWarning(attr, "The instance's user data differs from the configuration",
			fmt.Sprintf("Instance %s has user data that differs from the configured one (compared through a salted "+
				"hash; the user data itself is not stored). User data is set only when an instance is created, and "+
				"nothing in this plan changes it: run terraform apply -replace=ADDRESS to get a machine with the "+
				"configured user data, or change user_data_wo_version when using user_data_wo.", id))
	}
}

func (userDataReplaceIf) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	h := rememberedUserData(ctx, req.Private)
	if h == nil {
		resp.RequiresReplace = true
		return
	}
	want, known := configuredUserData(ctx, req.Config)
	resp.RequiresReplace = !known || !h.matches(want)
}

// readConfigString reads a string of the configuration; false when there
// is no configuration to read (a request built without one).
func readConfigString(ctx context.Context, config tfsdk.Config, p path.Path, v *types.String) bool {
	if config.Schema == nil || config.Raw.IsNull() {
		return false
	}
	return !config.GetAttribute(ctx, p, v).HasError()
}

// stateID is the id attribute of a resource's state, for messages.
func stateID(ctx context.Context, s tfsdk.State) string {
	var id types.String
	_ = s.GetAttribute(ctx, path.Root("id"), &id)
	return id.ValueString()
}

// userDataBase64Validator: user_data_base64 must be base64, which the
// service decodes; anything else would reach the machine garbled.
type userDataBase64Validator struct{}

func (userDataBase64Validator) Description(context.Context) string {
	return "must be base64 (standard alphabet, padded)"
}

func (v userDataBase64Validator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (userDataBase64Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := base64.StdEncoding.DecodeString(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "User data is not base64",
			"user_data_base64 holds user data already base64-encoded (such as base64encode(file(\"init.sh\"))), "+
				"and this value is not base64. Put plain text in user_data instead: the provider encodes it.")
	}
}

// userDataLooksEncoded warns when plain user_data already is base64 of
// text: the provider encodes user_data, so the machine would get the
// encoded form (the official provider sends base64 input as it is, so
// configurations moved from it often pass base64encode(...) here).
type userDataLooksEncoded struct{}

func (userDataLooksEncoded) Description(context.Context) string {
	return "warns when the value is already base64"
}

func (v userDataLooksEncoded) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (userDataLooksEncoded) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !looksBase64Text(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeWarning(req.Path, "user_data looks base64-encoded already",
		"This user_data decodes as base64 to text. The provider base64-encodes user_data before sending it, so the "+
			"machine would get the encoded text, not the script. Use user_data_base64 for a value that is already "+
			"encoded (such as base64encode(...)), or put the plain text in user_data.")
}

// looksBase64Text: s is padded standard base64 of UTF-8 text (printable,
// tabs and line breaks). A plain script fails this: spaces, #, ! and line
// breaks are not base64.
func looksBase64Text(s string) bool {
	if len(s) < 8 || len(s)%4 != 0 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
