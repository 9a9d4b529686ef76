package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The objects attribute: an archive's object inventory (archive.Info.Objects), key -> SHA-256
// of the object's canonical JSON, as a map(string).

// maxObjectLines is how many changes a warning lists before "and N more".
const maxObjectLines = 20

// objectsDescription documents the attribute; what adds to it what the inventory is of.
func objectsDescription(what string) string {
	return "The archive's objects, " + what + ": a map from each object's key, named as the Xano UI names " +
		"it (`function/<name>`, `api_group/<name>`, `endpoint/<api group>/<VERB> <path>`, `task/<name>`, " +
		"`table/<name>`, `trigger/<name>`, `middleware/<name>`, `addon/<name>`, `message/<channel>/<name>`, " +
		"`mcp_server/<name>`, `agent/<name>`, `<list>/<name>` for the other lists of the export's payload, " +
		"`workspace` for the workspace's name and description; see `provider::xano::archive_objects`), to the " +
		"SHA-256 of the object's canonical JSON (the canonicalisation of " +
		"`content_sha256`): a value changes when the object does. Comparing two maps, or " +
		"`provider::xano::archive_diff`, tells which objects were added, changed or removed. Null for an " +
		"encrypted archive, whose content cannot be read."
}

// objectsValue is an inventory as an attribute value: null when there is none (an encrypted
// archive, or one whose inspection stopped).
func objectsValue(objects map[string]string) types.Map {
	if objects == nil {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]string, len(objects))
	for k, v := range objects {
		elems[k] = v
	}
	m, _ := types.MapValueFrom(context.Background(), types.StringType, elems)
	return m
}

// objectsFromValue is the inverse of objectsValue: nil for a null or unknown map (a map of
// strings always converts).
func objectsFromValue(ctx context.Context, v types.Map) map[string]string {
	if !isKnown(v) {
		return nil
	}
	out := map[string]string{}
	_ = v.ElementsAs(ctx, &out, false)
	return out
}

// objects is an export's inventory as an attribute value.
func (r exportResult) objects() types.Map {
	if r.Info.Encrypted {
		return types.MapNull(types.StringType)
	}
	return objectsValue(r.Info.Objects)
}
