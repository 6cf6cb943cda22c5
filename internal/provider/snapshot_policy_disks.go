package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The disks of an aliecs_snapshot_policy. ApplyAutoSnapshotPolicy takes
// disk ids, and users think in machines, so instance_ids is resolved to
// every disk of those instances (DisksOf: one listing of the region's disks
// for many instances). An instance released meanwhile has no disks left: it
// is skipped, never an error, so neither an apply nor a destroy breaks on
// a machine that went away. A disk released between the listing and the
// call (InvalidDiskId.NotFound) makes the provider list again, a few times.

const policyDiskAttempts = 3

// missingInstances returns the ids of ids that do not exist.
func missingInstances(ctx context.Context, client *ecsapi.Client, ids []string) ([]string, error) {
	found, err := client.ListInstances(ctx, ecsapi.InstanceFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, in := range found {
		have[in.ID] = true
	}
	var missing []string
	for _, id := range ids {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// disksOfInstances lists the disks of ids, sorted by id, with the instances
// that have none (released).
func disksOfInstances(ctx context.Context, client *ecsapi.Client, ids []string) ([]ecsapi.Disk, []string, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	byInstance, err := client.DisksOf(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var disks []ecsapi.Disk
	var gone []string
	for _, id := range ids {
		if len(byInstance[id]) == 0 {
			gone = append(gone, id)
		}
		disks = append(disks, byInstance[id]...)
	}
	sort.Slice(disks, func(i, j int) bool { return disks[i].ID < disks[j].ID })
	return disks, gone, nil
}

// applyPolicyToInstances applies the policy to every disk of ids and sets
// DeleteAutoSnapshot=false on them. It reports false after an error.
func applyPolicyToInstances(ctx context.Context, client *ecsapi.Client, policyID string, ids []string, diags *diag.Diagnostics) bool {
	var err error
	for attempt := 0; attempt < policyDiskAttempts; attempt++ {
		var disks []ecsapi.Disk
		var gone []string
		disks, gone, err = disksOfInstances(ctx, client, ids)
		if err != nil {
			break
		}
		if attempt == 0 && len(gone) > 0 {
			diags.AddAttributeWarning(pathPolicyInstances, "Instance no longer exists",
				fmt.Sprintf("Instance %s no longer exists (released), so the policy has no disk of it to apply to. "+
					"Its automatic snapshots taken so far are kept until their retention ends.", strings.Join(gone, ", ")))
		}
		if err = applyToDisks(ctx, client, policyID, disks); !ecsapi.IsDiskNotFound(err) {
			break
		}
	}
	if err != nil {
		diags.AddAttributeError(pathPolicyInstances, "Cannot apply the snapshot policy",
			fmt.Sprintf("Applying policy %s to the disks of %s failed: %s", policyID, strings.Join(ids, ", "), err))
		return false
	}
	return true
}

func applyToDisks(ctx context.Context, client *ecsapi.Client, policyID string, disks []ecsapi.Disk) error {
	var ids []string
	for _, d := range disks {
		if d.AutoSnapshotPolicyID != policyID {
			ids = append(ids, d.ID)
		}
	}
	if err := client.ApplySnapshotPolicy(ctx, policyID, ids); err != nil {
		return err
	}
	for _, d := range disks {
		if !d.DeleteAutoSnapshot {
			continue
		}
		if err := client.SetDeleteAutoSnapshot(ctx, d.ID, false); err != nil {
			return err
		}
	}
	return nil
}

// cancelPolicyOnInstances cancels the policy on the disks of ids that have
// it (a disk given another policy since keeps that one). It reports false
// after an error.
func cancelPolicyOnInstances(ctx context.Context, client *ecsapi.Client, policyID string, ids []string, diags *diag.Diagnostics) bool {
	var err error
	for attempt := 0; attempt < policyDiskAttempts; attempt++ {
		var disks []ecsapi.Disk
		disks, _, err = disksOfInstances(ctx, client, ids)
		if err != nil {
			break
		}
		var cancel []string
		for _, d := range disks {
			if d.AutoSnapshotPolicyID == policyID {
				cancel = append(cancel, d.ID)
			}
		}
		if err = client.CancelSnapshotPolicy(ctx, cancel); !ecsapi.IsDiskNotFound(err) {
			break
		}
	}
	if err != nil {
		diags.AddAttributeError(pathPolicyInstances, "Cannot cancel the snapshot policy",
			fmt.Sprintf("Cancelling policy %s on the disks of %s failed: %s", policyID, strings.Join(ids, ", "), err))
		return false
	}
	return true
}

// policyInstances is instance_ids as the service has it: of the known ids
// and of the instances of the disks that carry the policy, the instances
// whose every disk carries it, plus the known ids that no longer exist
// (released: nothing to apply, and no change to plan). A known instance
// with a disk without the policy is left out, so the plan applies it again.
func policyInstances(ctx context.Context, client *ecsapi.Client, policyID string, known []string) ([]string, error) {
	carrying, err := client.DisksWithPolicy(ctx, policyID)
	if err != nil {
		return nil, err
	}
	candidates := append([]string(nil), known...)
	for _, d := range carrying {
		if d.InstanceID != "" {
			candidates = append(candidates, d.InstanceID)
		}
	}
	sort.Strings(candidates)
	candidates = compactStrings(candidates)
	if len(candidates) == 0 {
		return nil, nil
	}
	byInstance, err := client.DisksOf(ctx, candidates)
	if err != nil {
		return nil, err
	}
	isKnown := map[string]bool{}
	for _, id := range known {
		isKnown[id] = true
	}
	var out []string
	for _, id := range candidates {
		disks := byInstance[id]
		if len(disks) == 0 {
			if isKnown[id] {
				out = append(out, id)
			}
			continue
		}
		all := true
		for _, d := range disks {
			all = all && d.AutoSnapshotPolicyID == policyID
		}
		if all {
			out = append(out, id)
		}
	}
	return out, nil
}

// compactStrings drops repeats from a sorted list.
func compactStrings(list []string) []string {
	out := list[:0]
	for i, s := range list {
		if i == 0 || s != list[i-1] {
			out = append(out, s)
		}
	}
	return out
}
