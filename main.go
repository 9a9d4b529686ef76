// Command terraform-provider-xano serves the xano Terraform provider over the plugin protocol.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/xano-community/terraform-provider-xano/internal/provider"
)

// version is set by goreleaser at build time (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/xano-community/xano",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
