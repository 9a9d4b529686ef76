package archive

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // Xano's bundle signature is defined over SHA-1.
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// The reference for the php mode of the canonicalizer: PHP's json_encode form written token by
// token from encoding/json's Decoder, and Verify built on it. Slow and obviously faithful; the
// fuzz tests hold the one-pass implementation to it.

// referencePHPJSON re-encodes one JSON value the way PHP's json_encode does with the flags Xano
// signs with, keeping the order of object members and number literals as written.
func referencePHPJSON(buf *bytes.Buffer, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := referencePHPValue(buf, dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func referencePHPValue(buf *bytes.Buffer, dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxPHPDepth {
			return fmt.Errorf("JSON nested deeper than %d levels", maxPHPDepth)
		}
		return referencePHPContainer(buf, dec, t, depth+1)
	case string:
		buf.Write(appendPHPString(nil, []byte(t)))
	case json.Number:
		buf.WriteString(t.String())
	case bool:
		fmt.Fprint(buf, t)
	case nil:
		buf.WriteString("null")
	default:
		return fmt.Errorf("unexpected JSON token %v", tok)
	}
	return nil
}

func referencePHPContainer(buf *bytes.Buffer, dec *json.Decoder, open json.Delim, depth int) error {
	closing := byte(']')
	if open == '{' {
		closing = '}'
	}
	buf.WriteByte(byte(open))
	for i := 0; dec.More(); i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		if open == '{' {
			key, err := dec.Token()
			if err != nil {
				return fmt.Errorf("invalid JSON: %w", err)
			}
			name, _ := key.(string) // the decoder only yields string keys
			buf.Write(appendPHPString(nil, []byte(name)))
			buf.WriteByte(':')
		}
		if err := referencePHPValue(buf, dec, depth); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	buf.WriteByte(closing)
	return nil
}

// referenceVerify is Verify by decoding the top level into a map of raw members, re-encoding
// each, and counting the payload's rows by decoding it into a slice.
func referenceVerify(raw []byte) (ok bool, rows int, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil {
		return false, 0, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return false, 0, errors.New("unexpected data after the JSON object")
	}
	if members == nil {
		return false, 0, errors.New("not a JSON object")
	}
	var list []json.RawMessage
	switch p, present := members["payload"]; {
	case !present:
	case json.Unmarshal(p, &list) == nil:
		rows = len(list)
	default:
		rows = -1
	}
	sig, isString := stringValue(members["sig"])
	if !isString || sig == "" {
		return false, rows, nil
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		if k != "sig" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(appendPHPString(nil, []byte(k)))
		buf.WriteByte(':')
		if err := referencePHPJSON(&buf, members[k]); err != nil {
			return false, 0, err
		}
	}
	buf.WriteByte('}')
	sum := sha1.Sum(buf.Bytes()) //nolint:gosec // required by the format
	return websafeBase64(sum[:]) == sig, rows, nil
}
