package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// applyChanges sends the in-place changes between state and plan.
func (r *instanceResource) applyChanges(ctx context.Context, config tfsdk.Config, private privateGetter, plan, state *instanceModel) error {
	client := r.data.client
	id := state.ID.ValueString()

	var mod ecsapi.ModifyInstanceInput
	changed := false
	setString := func(p, s types.String, dst **string) {
		if !p.IsUnknown() && !p.IsNull() && !p.Equal(s) {
			v := p.ValueString()
			*dst = &v
			changed = true
		}
	}
	setString(plan.InstanceName, state.InstanceName, &mod.Name)
	setString(plan.Description, state.Description, &mod.Description)
	setString(plan.HostName, state.HostName, &mod.HostName)
	if !plan.DeletionProtection.IsUnknown() && !plan.DeletionProtection.Equal(state.DeletionProtection) {
		v := plan.DeletionProtection.ValueBool()
		mod.DeletionProtection = &v
		changed = true
	}
	imported, _ := importedMark(ctx, private)
	if !plan.PasswordWOVersion.IsNull() && !plan.PasswordWOVersion.Equal(state.PasswordWOVersion) &&
		!(imported && state.PasswordWOVersion.IsNull()) {
		var pw types.String
		if d := config.GetAttribute(ctx, path.Root("password_wo"), &pw); d.HasError() || pw.IsNull() || pw.IsUnknown() {
			return errors.New("password_wo_version changed but password_wo is not set in the configuration")
		}
		v := pw.ValueString()
		mod.Password = &v
		changed = true
	}
	if changed {
		if err := client.ModifyInstanceAttribute(ctx, id, mod); err != nil {
			return err
		}
	}

	if err := r.changeNetwork(ctx, plan, state); err != nil { // instance_network.go
		return err
	}
	if err := r.changeSystemDiskAttributes(ctx, plan, state); err != nil { // instance_disk_attributes.go
		return err
	}

	if !plan.Tags.Equal(state.Tags) {
		want, d := tagsFromMap(ctx, plan.Tags)
		if d.HasError() {
			return errors.New("reading the planned tags failed")
		}
		have, _ := tagsFromMap(ctx, state.Tags)
		set, remove := tagChanges(have, want)
		if len(set) > 0 || len(remove) > 0 {
			if err := client.UpdateInstanceTags(ctx, id, set, remove); err != nil {
				return err
			}
		}
	}

	if err := r.resizeInPlace(ctx, plan, state); err != nil {
		return err
	}
	if err := r.changeDataDiskSettings(ctx, plan, state); err != nil { // instance_data_disk_settings.go
		return err
	}
	if err := r.addDataDisks(ctx, plan, state); err != nil { // instance_data_disks.go
		return err
	}

	if want := plan.Status.ValueString(); !plan.Status.IsUnknown() && !plan.Status.Equal(state.Status) {
		inst, err := client.GetInstance(ctx, id)
		if err != nil {
			return err
		}
		switch want {
		case ecsapi.StatusStopped:
			err = stopInstance(ctx, client, inst, ecsapi.StopInput{StoppedMode: plan.StoppedMode.ValueString()})
		case ecsapi.StatusRunning:
			err = explainNoStock(startInstance(ctx, client, inst), inst) // instance_spot.go
		}
		if err != nil {
			return fmt.Errorf("changing its status to %s: %w", want, err)
		}
	}
	return nil
}
