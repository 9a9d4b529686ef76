package blobstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// The kinds of failure, for errors.Is. Every error this package returns wraps at most one.
var (
	// ErrNotFound: no object at the key (the bucket exists).
	ErrNotFound = errors.New("object not found")
	// ErrBucketNotFound: the bucket (container, folder) does not exist.
	ErrBucketNotFound = errors.New("bucket not found")
	// ErrAccessDenied: the credentials are valid but not allowed to do this.
	ErrAccessDenied = errors.New("access denied")
	// ErrCredentials: no credentials were found, or the store rejected them.
	ErrCredentials = errors.New("credentials missing or invalid")
	// ErrUnreachable: the store could not be reached (network, DNS, endpoint down).
	ErrUnreachable = errors.New("store unreachable")
	// ErrInvalidURL: the bucket parameters in the URL are wrong.
	ErrInvalidURL = errors.New("invalid object URL")
	// ErrCanceled: the operation was cancelled (interrupt) or timed out.
	ErrCanceled = errors.New("cancelled")
)

// Error is a classified store error. Its text names the object URL, what failed and what to
// fix; the store's own message follows, with anything that looks like a credential removed.
type Error struct {
	Kind  error  // one of the Err* sentinels, or nil when unclassified
	Op    string // "read the attributes of", "write", ...
	URL   string
	Fix   string
	Cause string // the store's message, redacted
	ctx   error  // context.Canceled or context.DeadlineExceeded when that was the cause
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "could not %s %s", e.Op, e.URL)
	if e.Kind != nil {
		fmt.Fprintf(&b, ": %s", e.Kind)
	}
	if e.Fix != "" {
		fmt.Fprintf(&b, ": %s", e.Fix)
	}
	if e.Cause != "" {
		fmt.Fprintf(&b, " (store said: %s)", e.Cause)
	}
	return b.String()
}

// Unwrap exposes the kind and, for a cancellation, the context's error.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.ctx != nil {
		out = append(out, e.ctx)
	}
	return out
}

func bucketMissing(op string, o Object, cause error) error {
	return &Error{Kind: ErrBucketNotFound, Op: op, URL: o.String(), Fix: fixBucket(o), Cause: redact(causeText(cause))}
}

func fixBucket(o Object) string {
	switch o.scheme {
	case "file":
		return "create the folder first (the provider does not create buckets or folders)"
	case "azblob":
		return "create the container first, and check the storage account (AZURE_STORAGE_ACCOUNT or storage_account=)"
	default:
		return "create the bucket first (the provider does not create buckets), and check its name, region= and endpoint="
	}
}

func fixCredentials(o Object) string {
	switch o.scheme {
	case "s3":
		return "set AWS credentials in the standard chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the " +
			"profile= URL parameter naming a profile of the shared config/credentials files, or workload identity " +
			"(e.g. GitHub Actions OIDC with AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE); check that the profile exists " +
			"and its keys are current"
	case "gs":
		return "set Google Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, " +
			"or workload identity federation"
	case "azblob":
		return "set AZURE_STORAGE_ACCOUNT and a credential of the standard chain: AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, " +
			"AZURE_STORAGE_CONNECTION_STRING, or Azure AD (AZURE_CLIENT_ID/AZURE_TENANT_ID with workload identity or `az login`)"
	default:
		return "check the credentials of the store"
	}
}

func fixAccess(o Object, op string) string {
	switch o.scheme {
	case "s3":
		need := "s3:GetObject"
		if strings.Contains(op, "writ") || strings.Contains(op, "upload") {
			need = "s3:PutObject and s3:AbortMultipartUpload"
		}
		return "grant the identity " + need + " on the key, and s3:ListBucket on the bucket (without it S3 answers " +
			"403 for a missing key), or fix the bucket policy"
	case "gs":
		return "grant the identity roles/storage.objectUser (or objectViewer to read) on the bucket"
	case "azblob":
		return "grant the identity Storage Blob Data Contributor (or Reader to read) on the container"
	case "file":
		return "make the folder and file readable and writable by the user running Terraform"
	default:
		return "grant the identity access to the object"
	}
}

// classify turns a store error into an *Error naming what to fix.
func classify(err error, op string, o Object) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	e := &Error{Op: op, URL: o.String(), Cause: redact(causeText(err))}
	code := gcerrors.Code(err)
	apiCode := apiErrorCode(err)
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, context.Canceled) || code == gcerrors.Canceled:
		e.Kind, e.ctx, e.Cause = ErrCanceled, context.Canceled, ""
		e.Fix = "the operation was interrupted; nothing was written at the key"
	case errors.Is(err, context.DeadlineExceeded) || code == gcerrors.DeadlineExceeded:
		e.Kind, e.ctx = ErrCanceled, context.DeadlineExceeded
		e.Fix = "the operation timed out; raise the resource's timeouts or check the store's reachability"
	case isCredentialError(apiCode, msg):
		e.Kind, e.Fix = ErrCredentials, fixCredentials(o)
	case apiCode == "NoSuchBucket" || apiCode == "ContainerNotFound" || errors.Is(err, storage.ErrBucketNotExist):
		e.Kind, e.Fix = ErrBucketNotFound, fixBucket(o)
	case o.scheme == "file" && strings.HasPrefix(op, "open the bucket") && errors.Is(err, fs.ErrNotExist):
		e.Kind, e.Fix = ErrBucketNotFound, fixBucket(o)
	case isUntrustedCertificate(err, msg):
		e.Kind, e.Fix = ErrUnreachable, fixCertificate(o)
	case code == gcerrors.NotFound && isUnreachable(err, msg):
		e.Kind, e.Fix = ErrUnreachable, fixUnreachable(o)
	case code == gcerrors.NotFound || errors.Is(err, fs.ErrNotExist):
		e.Kind, e.Fix = ErrNotFound, "no object at this key"
	case code == gcerrors.PermissionDenied || apiCode == "AccessDenied" || apiCode == "AllAccessDisabled" ||
		apiCode == "AuthorizationPermissionMismatch" || apiCode == "AuthorizationFailure" || errors.Is(err, fs.ErrPermission):
		e.Kind, e.Fix = ErrAccessDenied, fixAccess(o, op)
	case isUnreachable(err, msg):
		e.Kind, e.Fix = ErrUnreachable, fixUnreachable(o)
	case code == gcerrors.InvalidArgument || strings.Contains(msg, "invalid value for") || strings.Contains(msg, "unknown query parameter"):
		e.Kind, e.Fix = ErrInvalidURL, "fix the bucket parameters in the URL's query (see the provider's object storage docs for each store's parameters)"
	}
	return e
}

// isUntrustedCertificate reports whether the store's TLS certificate was refused (a private CA,
// a self-signed certificate, a name that does not match).
func isUntrustedCertificate(err error, msg string) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) ||
		strings.Contains(msg, "x509: certificate") || strings.Contains(msg, "tls: failed to verify certificate")
}

func fixCertificate(o Object) string {
	switch o.scheme {
	case "s3":
		return "the store's TLS certificate is not trusted: for a store with a private CA, set AWS_CA_BUNDLE to the CA's " +
			"PEM file (or add it to the system's trust store, or SSL_CERT_FILE); check that endpoint= names the host the certificate is for"
	default:
		return "the store's TLS certificate is not trusted: add its CA to the system's trust store (or SSL_CERT_FILE), " +
			"and check the endpoint's host name"
	}
}

func fixUnreachable(o Object) string {
	switch o.scheme {
	case "s3":
		return "check the network, region= and, for an S3-compatible store, endpoint= (and disable_https=true for a plain-http endpoint)"
	case "azblob":
		return "check the network, the storage account name and domain="
	default:
		return "check the network and the store's endpoint"
	}
}

func isCredentialError(apiCode, msg string) bool {
	switch apiCode {
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
		"InvalidClientTokenId", "UnrecognizedClientException", "AuthenticationFailed", "InvalidAuthenticationInfo",
		"NoAuthenticationInformation", "CredentialsNotSupported":
		return true
	}
	for _, s := range []string{
		"failed to refresh cached credentials", "no ec2 imds role found", "failed to get shared config profile",
		"sharedconfigprofilenotexist", "static credentials are empty", "anonymous credentials",
		"could not find default credentials", "defaultazurecredential", "credential unavailable",
		"failed to retrieve credentials", "get credentials", "no valid providers in chain", "invalid_grant",
		"azure_storage_account",
		// Azure's text for a request signed with a wrong key (Azurite sends it with the code
		// AuthorizationFailure, which otherwise means a denial).
		"server failed to authenticate the request",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func isUnreachable(err error, msg string) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &oe) || errors.As(err, &de) {
		return true
	}
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, s := range []string{"connection refused", "no such host", "connection reset", "i/o timeout", "network is unreachable",
		"dial tcp", "tls: ", "x509: ", "eof"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func apiErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// causeText is the store's message, without gocloud's wrapping of the bucket URL (the URL is
// already in the Error).
func causeText(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "operation error "); i >= 0 {
		s = s[i:]
	}
	s = strings.Join(strings.Fields(s), " ")
	const limit = 600
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}

// redact removes from s every value of an environment variable whose name looks like a
// credential (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AZURE_STORAGE_KEY, ...). The stores'
// SDKs do not put secrets in their errors; this is the belt to that braces.
func redact(s string) string {
	if s == "" {
		return s
	}
	var secrets []string
	for _, kv := range os.Environ() {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || len(value) < 8 {
			continue
		}
		n := strings.ToUpper(name)
		for _, w := range []string{"SECRET", "TOKEN", "PASSWORD", "ACCESS_KEY", "ACCOUNT_KEY", "STORAGE_KEY", "SAS", "CONNECTION_STRING", "CREDENTIAL"} {
			if strings.Contains(n, w) {
				secrets = append(secrets, value)
				break
			}
		}
	}
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "<redacted>")
	}
	return s
}

// versionID reads the store's version of an object from the driver's attributes.
func versionID(a *blob.Attributes) string {
	var s3h s3.HeadObjectOutput
	if a.As(&s3h) && s3h.VersionId != nil {
		if v := *s3h.VersionId; v != "null" {
			return v
		}
		return ""
	}
	var gcs storage.ObjectAttrs
	if a.As(&gcs) && gcs.Generation != 0 {
		return strconv.FormatInt(gcs.Generation, 10)
	}
	var az azblobblob.GetPropertiesResponse
	if a.As(&az) && az.VersionID != nil {
		return *az.VersionID
	}
	return ""
}
