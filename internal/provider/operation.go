package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// timeoutFunc reads one operation's timeout from a timeouts block, with its default: the Create,
// Read, Update or Delete method of a resource's timeouts.Value, or the Read method of a data
// source's.
type timeoutFunc func(ctx context.Context, defaultTimeout time.Duration) (time.Duration, diag.Diagnostics)

// startOperation prepares an operation that calls the Metadata API: it returns ctx bounded by the
// operation's timeout (read by timeout, def when the timeouts block leaves it out) and the client.
// An invalid timeout or an incomplete provider configuration is added to diags, and the client is
// then nil. cancel is never nil: defer it at once.
func (d *providerData) startOperation(ctx context.Context, timeout timeoutFunc, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *xano.Client) {
	limit, opDiags := timeout(ctx, def)
	client, clientDiags := d.apiClient()
	opDiags.Append(clientDiags...)
	diags.Append(opDiags...)
	if opDiags.HasError() {
		return ctx, func() {}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	return ctx, cancel, client
}

// withBranchFields adds the workspace and the branch an operation is about to every log message
// of ctx, the client's included.
func withBranchFields(ctx context.Context, ws int64, label string) context.Context {
	return tflog.SetField(tflog.SetField(ctx, "workspace_id", ws), "branch", label)
}
