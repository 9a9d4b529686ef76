package emulator_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// Exports stream from a snapshot while imports replace the rows they read (and remove the old
// spool files) and branches come and go: every export must still be a complete archive.
func TestConcurrentExportsAndMutations(t *testing.T) {
	in := emulatortest.Start(t, nil)
	full := in.Export(t, 1, "", true)
	status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", full, false)
	wantOK(t, status, data) // workspace 2's tables are now spooled
	want := inspect(t, in.Export(t, 2, "", true)).ContentSHA256

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				data := in.Export(t, 2, "v1", true)
				info, err := archive.Inspect(bytes.NewReader(data), archive.Limits{})
				if err != nil {
					errs <- err
					return
				}
				if info.ContentSHA256 != want {
					errs <- fmt.Errorf("export %d of reader %d has other content", i, g)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", full, true)
			if status != 200 {
				errs <- fmt.Errorf("import: %d %s", status, data)
				return
			}
			label := fmt.Sprintf("b%d", i)
			in.CreateBranch(t, 2, label, "")
			in.DeleteBranch(t, 2, label)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
