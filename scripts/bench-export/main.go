// Command bench-export downloads one workspace export with the provider's own
// client (internal/xano) into io.Discard and reports its size and throughput.
// scripts/bench-export.sh runs it next to curl against the same emulator export.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

func main() {
	url := flag.String("url", os.Getenv("XANO_INSTANCE_URL"), "instance URL")
	workspace := flag.Int64("workspace", 1, "workspace ID to export")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	flag.Parse()

	if err := run(*url, os.Getenv("XANO_TOKEN"), *workspace, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-export:", err)
		os.Exit(1)
	}
}

func run(url, token string, workspace int64, timeout time.Duration) error {
	client, err := xano.New(xano.Config{
		BaseURL:        url,
		Token:          token,
		UserAgent:      "terraform-provider-xano-bench",
		RequestTimeout: timeout,
		MaxRetries:     -1, // one attempt: a retry would distort the measurement
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	start := time.Now()
	n, err := client.Export(ctx, workspace, xano.ExportOptions{}, io.Discard)
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("export of workspace %d after %d bytes: %w", workspace, n, err)
	}
	fmt.Printf("bytes=%d seconds=%.3f MB/s=%.1f\n", n, elapsed.Seconds(), float64(n)/1e6/elapsed.Seconds())
	return nil
}
