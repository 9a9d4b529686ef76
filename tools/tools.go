//go:build tools

// Package tools pins the OpenTofu CLI that the acceptance tests and the demo run.
// `make tools` builds it into .tools/bin; nothing here is part of the provider.
package tools

import (
	_ "github.com/opentofu/opentofu/cmd/tofu"
)
