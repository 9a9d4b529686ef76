package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// The archive xano_workspace_schema_import last imported is known by its bytes (imported_sha256,
// in state) and by its canonical content (archive.ContentSHA256), kept in the private state. A
// new archive whose content is the same (the upstream snapshot exported again because its file
// was gone, on a fresh CI runner for instance) is then recognised at apply, and not imported
// again: the bytes differ, what Xano would get does not.

// importedContentKey is the private state key of the content hash of the archive last imported.
const importedContentKey = "imported_content"

type importedContentData struct {
	ContentSHA256 string `json:"content_sha256"`
}

// setImportedContent records the content hash of the archive just imported; "" (an encrypted
// archive, or one that could not be inspected) forgets it.
func setImportedContent(ctx context.Context, p privateData, content string) diag.Diagnostics {
	if content == "" {
		return setPrivateJSON(ctx, p, importedContentKey, nil, "")
	}
	return setPrivateJSON(ctx, p, importedContentKey, importedContentData{ContentSHA256: content}, "the imported archive")
}

// sameContentAsImported reports whether src holds the same content as the archive last imported.
// Without a recorded content (an encrypted archive, or a branch brought under Terraform by
// terraform import) nothing can be compared, and it reports false.
func sameContentAsImported(ctx context.Context, p privateData, src archive.Info) (bool, diag.Diagnostics) {
	var d importedContentData
	ok, diags := getPrivateJSON(ctx, p, importedContentKey, &d)
	if !ok || src.Encrypted || src.ContentSHA256 == "" {
		return false, diags
	}
	return d.ContentSHA256 == src.ContentSHA256, diags
}

// checkSourceForImport checks, right before an upload, that the source archive is the expected
// one and that an encrypted archive comes with a password. It reads the file once, and returns
// what the archive holds.
func checkSourceForImport(ctx context.Context, lim archive.Limits, src importSource, sourceSHA256, password string) (archive.Info, diag.Diagnostics) {
	info, diags := inspectSourceArchive(ctx, lim, src, sourceSHA256)
	if diags.HasError() {
		return info, diags
	}
	if info.Encrypted && password == "" {
		diags.AddAttributeError(path.Root("password_wo"), "Password required", passwordRequiredDetail(src))
	}
	return info, diags
}
