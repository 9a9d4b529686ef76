package emulator

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// Only the fields the upload routes read are kept; the others are read and dropped.
func TestReadUploadKeepsKnownFieldsOnly(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"newbranch", "b"}, {"junk", "dropped"}, {"setlive", "true"}, {"password", "pw"}, {"", "nameless"}} {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, _ := mw.CreateFormFile("file", "a.tar.gz")
	_, _ = fw.Write([]byte("archive"))
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/api:meta/workspace/1/import-schema", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	var seen []string
	u, err := s.readUpload(httptest.NewRecorder(), r, func(f map[string]string) error {
		for k := range f {
			seen = append(seen, k)
		}
		return nil
	}, archiveSpooled)
	if err != nil {
		t.Fatal(err)
	}
	defer u.close()
	want := map[string]string{"newbranch": "b", "setlive": "true", "password": "pw"}
	if !reflect.DeepEqual(u.fields, want) {
		t.Fatalf("fields %v, want %v", u.fields, want)
	}
	for _, k := range seen {
		if _, ok := want[k]; !ok {
			t.Fatalf("early saw field %q", k)
		}
	}
	if u.file == nil || u.filename != "a.tar.gz" {
		t.Fatalf("file %v %q", u.file, u.filename)
	}
}
