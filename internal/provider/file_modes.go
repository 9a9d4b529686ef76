package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// Default modes of what the provider writes: an archive holds the whole workspace (with data, every
// row), so it is private to its owner unless the configuration says otherwise.
const (
	defaultFilePermission      = "0600"
	defaultDirectoryPermission = "0700"
)

// fileModes are the modes of an archive file and of the folders created for it.
type fileModes struct {
	file, dir os.FileMode
}

// orDefault fills unset modes with the defaults (0600, 0700).
func (m fileModes) orDefault() fileModes {
	if m.file == 0 {
		m.file = 0o600
	}
	if m.dir == 0 {
		m.dir = 0o700
	}
	return m
}

// modesFrom reads file_permission and directory_permission; null, unknown or invalid values (the
// validator reports those) leave the default.
func modesFrom(file, dir types.String) fileModes {
	var m fileModes
	if p, err := parsePermission(file.ValueString()); err == nil && isKnown(file) {
		m.file = p
	}
	if p, err := parsePermission(dir.ValueString()); err == nil && isKnown(dir) {
		m.dir = p
	}
	return m.orDefault()
}

// parsePermission reads an octal mode such as "0600" or "640" (permission bits only).
func parsePermission(s string) (os.FileMode, error) {
	if len(s) < 3 || len(s) > 4 {
		return 0, fmt.Errorf("%q is not an octal mode of 3 or 4 digits", s)
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not an octal mode: use the digits 0 to 7, such as \"0600\"", s)
	}
	if v > 0o777 {
		return 0, fmt.Errorf("%q sets more than the permission bits: the setuid, setgid and sticky bits are not accepted", s)
	}
	return os.FileMode(v), nil
}

// permissionValidator checks file_permission and directory_permission. owner says which access
// the owner needs: "rw" for a file (it is written, then read back by refresh), "rwx" for a folder.
type permissionValidator struct{ owner string }

func (v permissionValidator) Description(context.Context) string {
	need := "read and write (at least 0600)"
	if v.owner == "rwx" {
		need = "read, write and enter (at least 0700)"
	}
	return "an octal mode as a string, such as \"0600\", that lets the owner " + need
}

func (v permissionValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v permissionValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !isKnown(req.ConfigValue) {
		return
	}
	s := req.ConfigValue.ValueString()
	p, err := parsePermission(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid permission",
			fmt.Sprintf("%s. Give an octal mode as a string, as local_file takes it, such as \"0600\" (owner only) or \"0640\".", err))
		return
	}
	need, what := os.FileMode(0o600), "read and write the archive"
	if v.owner == "rwx" {
		need, what = 0o700, "create the archive inside the folder"
	}
	if p&need != need {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid permission",
			fmt.Sprintf("%q does not let the owner %s (the provider needs it). Use at least %04o, such as %04o.",
				s, what, need, need))
	}
}

// mkdirAll creates dir and its missing parents with mode perm exactly: each folder it creates is
// chmod-ed to perm, so the umask does not narrow (or a loose umask widen) what was asked. Folders
// that exist are left as they are.
func mkdirAll(dir string, perm os.FileMode) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("a file is in the way")}
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAll(parent, perm); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made meanwhile by another process
		}
		return err
	}
	return os.Chmod(dir, perm)
}

// inspectionLimits are the provider's archive_inspection settings as archive.Limits (zero values
// take the archive package's defaults). The decompression-bomb guard bounds total bytes and time,
// never the ratio of one deflate layer: legitimate data can reach about 1000:1.
func inspectionLimits(maxBytes int64, timeout time.Duration) archive.Limits {
	return archive.Limits{MaxTotalBytes: maxBytes, MaxDuration: timeout}
}

// raiseLimitHint says how to raise the limit that stopped an inspection.
func raiseLimitHint(lim *archive.LimitError) string {
	switch lim.Limit {
	case "MaxTotalBytes":
		return fmt.Sprintf("To inspect it, raise max_bytes in the provider's archive_inspection attribute "+
			"(now %d bytes of uncompressed content), for example archive_inspection = { max_bytes = %d }.",
			lim.Value, lim.Value*4)
	case "MaxDuration":
		return fmt.Sprintf("To inspect it, raise timeout in the provider's archive_inspection attribute "+
			"(now %s), for example archive_inspection = { timeout = \"%s\" }.",
			time.Duration(lim.Value), 4*time.Duration(lim.Value))
	default:
		return fmt.Sprintf("The %s limit (%d) cannot be changed in the configuration; please report the archive's "+
			"shape (entry sizes and counts, not its content) if it is a real export.", lim.Limit, lim.Value)
	}
}

// filePermissionDoc and directoryPermissionDoc are the shared text of file_permission and directory_permission; what names the
// file they apply to.
func filePermissionDoc(what string) string {
	return "The mode of " + what + ", as an octal string like `local_file` takes (`\"0640\"`). Defaults to `\"0600\"`: " +
		"an archive holds the whole workspace, so only its owner may read it. The file is created with this mode " +
		"before its first byte is written (the umask does not apply), so it is never more open than asked."
}

func directoryPermissionDoc(what string) string {
	return "The mode of the missing parent folders created for " + what + ", as an octal string. Defaults to " +
		"`\"0700\"`; folders that exist are left as they are, and the umask does not apply."
}

func resourcePermissionAttributes(what string, mods ...planmodifier.String) map[string]rschema.Attribute {
	return map[string]rschema.Attribute{
		"file_permission": rschema.StringAttribute{
			MarkdownDescription: filePermissionDoc(what),
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(defaultFilePermission),
			Validators:          []validator.String{permissionValidator{owner: "rw"}},
			PlanModifiers:       mods,
		},
		"directory_permission": rschema.StringAttribute{
			MarkdownDescription: directoryPermissionDoc(what),
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(defaultDirectoryPermission),
			Validators:          []validator.String{permissionValidator{owner: "rwx"}},
		},
	}
}

func dataSourcePermissionAttributes(what string) map[string]dschema.Attribute {
	return map[string]dschema.Attribute{
		"file_permission": dschema.StringAttribute{
			MarkdownDescription: filePermissionDoc(what),
			Optional:            true,
			Validators:          []validator.String{permissionValidator{owner: "rw"}},
		},
		"directory_permission": dschema.StringAttribute{
			MarkdownDescription: directoryPermissionDoc(what),
			Optional:            true,
			Validators:          []validator.String{permissionValidator{owner: "rwx"}},
		},
	}
}

// withAttributes adds more to attrs and returns it.
func withAttributes[A any](attrs, more map[string]A) map[string]A {
	for name, a := range more {
		attrs[name] = a
	}
	return attrs
}
