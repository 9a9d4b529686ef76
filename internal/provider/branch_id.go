package provider

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// branchID is the ID of an object that stands for one branch: "<workspace_id>/<label>", with the
// label URL-escaped because labels may contain "/".
func branchID(workspaceID int64, label string) string {
	return strconv.FormatInt(workspaceID, 10) + "/" + url.PathEscape(label)
}

// parseBranchID reads an import ID "<workspace_id>/<label>". The label is everything after the
// first "/", URL-unescaped, so "2/feature%2Fx" and "2/feature/x" name the same branch.
func parseBranchID(id string) (int64, string, error) {
	wsPart, labelPart, ok := strings.Cut(id, "/")
	ws, err := strconv.ParseInt(wsPart, 10, 64)
	if !ok || err != nil || ws <= 0 || labelPart == "" {
		return 0, "", fmt.Errorf("the import ID %q is not <workspace_id>/<branch label>, e.g. 2/release_1 "+
			"(URL-escape a label that contains a slash: 2/feature%%2Fx)", id)
	}
	label, err := url.PathUnescape(labelPart)
	if err != nil {
		return 0, "", fmt.Errorf("the branch label in the import ID %q is not validly URL-escaped: %w", id, err)
	}
	return ws, label, nil
}
