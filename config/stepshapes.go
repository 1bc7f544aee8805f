package config

// The shapes of the steps' configs, as Kargo's step schemas define them.
// A key Kargo has and Railyard does not act on yet is marked notYet, so it
// is refused by name rather than as an unknown field. Steps Railyard does
// not run at all are refused as a whole (validateUses) and need no shape.

const durationRE = `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`

func duration() *shape { return matching(durationRE, "a duration (like 30s or 5m)") }

// ociRef matches an OCI reference with a tag or digest; ociTagRef requires
// a tag.
func ociRef() *shape {
	return matching(`^(oci://)?[A-Za-z0-9._-]+(:[0-9]+)?(/[A-Za-z0-9._-]+)*[:@][A-Za-z0-9._:-]+$`,
		"an OCI reference with a tag or digest (host/repo:tag or host/repo@sha256:…)")
}

func ociTagRef() *shape {
	return matching(`^(oci://)?[A-Za-z0-9._-]+(:[0-9]+)?(/[A-Za-z0-9._-]+)*:[A-Za-z0-9._-]+$`,
		"an OCI reference with a tag (host/repo:tag)")
}

func author() *shape {
	return object(
		req("name", nonEmpty()),
		req("email", matching(`^[^@\s]+@[^@\s]+$`, "an email address")),
		opt("signingKey", refuse(str(), "commit signing (signingKey) is not supported yet")),
	)
}

func nameValues() *shape {
	return list(object(req("name", nonEmpty()), req("value", nonEmpty())))
}

func parseOutputs() *shape {
	return nonEmptyList(object(req("name", nonEmpty()), req("fromExpression", nonEmpty())))
}

func fileUpdates() *shape {
	return nonEmptyList(object(req("key", nonEmpty()), req("value", anyValue())))
}

func fileUpdate() *shape {
	return object(req("path", nonEmpty()), req("updates", fileUpdates()))
}

func fileParse() *shape {
	return object(req("path", nonEmpty()), req("outputs", parseOutputs()))
}

// appSelector is a Kubernetes label selector; Railyard selects
// Applications by name only, so it is refused.
func appSelector() *shape {
	return refuse(object(
		opt("matchLabels", strMap()),
		opt("matchExpressions", list(object(
			req("key", nonEmpty()), req("operator", enum("In", "NotIn", "Exists", "DoesNotExist")),
			opt("values", list(str())),
		))),
	), "selecting Applications by label (selector) is not supported yet; name each Application")
}

func argoCDSource() *shape {
	return object(
		req("repoURL", nonEmpty()), opt("chart", nonEmpty()),
		opt("desiredRevision", str()), opt("updateTargetRevision", boolean()),
		opt("kustomize", object(opt("images", nonEmptyList(object(
			req("repoURL", nonEmpty()), opt("tag", str()), opt("digest", str()), opt("newName", nonEmpty()),
		).atMostOne("tag", "digest"))))),
		opt("helm", object(req("images", nonEmptyList(object(req("key", nonEmpty()), req("value", str())))))),
	)
}

var stepShapes = map[string]*shape{
	"argocd-update": object(req("apps", nonEmptyList(object(
		opt("name", nonEmpty()), opt("namespace", nonEmpty()), opt("selector", appSelector()),
		opt("sources", nonEmptyList(argoCDSource())),
	).oneOf("name", "selector")))),
	"argocd-wait": object(req("apps", nonEmptyList(object(
		opt("name", nonEmpty()), opt("namespace", nonEmpty()), opt("selector", appSelector()),
		opt("waitFor", nonEmptyList(enum("health", "sync", "operation", "suspended", "degraded"))),
	).oneOf("name", "selector")))),
	"git-clone": object(
		req("repoURL", nonEmpty()),
		req("checkout", nonEmptyList(object(
			req("path", nonEmpty()),
			opt("branch", str()), opt("commit", str()), opt("tag", str()),
			opt("create", boolean()), opt("as", str()),
			opt("sparse", nonEmptyList(nonEmpty())),
		).atMostOne("branch", "commit", "tag"))),
		opt("author", author()),
		opt("blobless", boolean()),
		opt("recurseSubmodules", refuse(boolean(), "recurseSubmodules is not supported yet")),
		opt("insecureSkipTLSVerify", boolean()),
	),
	"git-clear": object(req("path", nonEmpty())),
	"git-commit": object(
		req("path", nonEmpty()), req("message", nonEmpty()), opt("author", author()),
	),
	"git-push": object(
		req("path", nonEmpty()),
		opt("targetBranch", str()), opt("generateTargetBranch", boolean()), opt("tag", str()),
		opt("force", boolean()), opt("maxAttempts", integer(1, 2147483647)),
		opt("provider", enum("azure", "bitbucket", "gitea", "github", "gitlab")),
	).atMostOne("generateTargetBranch", "targetBranch", "tag").atMostOne("tag", "force"),
	"git-open-pr": object(
		req("repoURL", nonEmpty()), req("sourceBranch", nonEmpty()), req("targetBranch", nonEmpty()),
		opt("provider", enum("azure", "bitbucket", "gitea", "github", "gitlab")),
		opt("insecureSkipTLSVerify", boolean()), opt("createTargetBranch", boolean()),
		opt("title", str()), opt("description", str()), opt("labels", list(nonEmpty())),
	),
	"git-wait-for-pr": object(
		req("repoURL", nonEmpty()), req("prNumber", integer(1, 2147483647)),
		opt("provider", enum("azure", "bitbucket", "gitea", "github", "gitlab")),
		opt("insecureSkipTLSVerify", boolean()), opt("pollInterval", duration()),
	),
	"git-merge-pr": object(
		req("repoURL", nonEmpty()), req("prNumber", integer(1, 2147483647)),
		opt("provider", enum("azure", "bitbucket", "gitea", "github", "gitlab")),
		opt("insecureSkipTLSVerify", boolean()), opt("wait", boolean()), opt("pollInterval", duration()),
		opt("mergeMethod", str()),
	),
	"git-tag": object(
		req("path", nonEmpty()), req("tag", nonEmpty()), req("message", nonEmpty()), opt("force", boolean()),
	),
	"copy": object(req("inPath", nonEmpty()), req("outPath", nonEmpty()), opt("ignore", nonEmpty())),
	"delete": object(
		opt("path", nonEmpty()), opt("paths", nonEmptyList(nonEmpty())),
		opt("pathsAreGlobs", boolean()), opt("strict", boolean()),
	).oneOf("path", "paths"),
	"file-write": object(
		req("path", nonEmpty()), req("contents", str()),
		opt("permissions", matching(`^0[0-7]{3}$`, "an octal mode like 0644")),
		opt("overwrite", boolean()),
	),
	"kustomize-set-image": object(
		req("path", nonEmpty()),
		opt("images", list(object(
			req("image", nonEmpty()),
			opt("tag", str()), opt("digest", str()), opt("name", str()), opt("newName", str()),
		).atMostOne("tag", "digest"))),
	),
	"kustomize-build": object(
		req("path", nonEmpty()), req("outPath", nonEmpty()),
		opt("outputFormat", enum("kargo", "kustomize")),
		opt("plugin", object(opt("helm", object(
			opt("apiVersions", list(nonEmpty())), opt("kubeVersion", str()),
		)))),
	),
	"helm-template": object(
		req("path", nonEmpty()), req("outPath", nonEmpty()), req("releaseName", nonEmpty()),
		opt("outLayout", enum("helm", "flat")),
		opt("useReleaseName", boolean()), opt("namespace", str()),
		opt("valuesFiles", list(nonEmpty())), opt("ignoreMissingValueFiles", boolean()),
		opt("setValues", list(object(req("key", nonEmpty()), req("value", str()), opt("literal", boolean())))),
		opt("buildDependencies", boolean()), opt("includeCRDs", boolean()),
		opt("disableHooks", boolean()), opt("skipTests", boolean()),
		opt("kubeVersion", str()), opt("apiVersions", list(nonEmpty())),
	),
	"helm-update-chart": object(
		req("path", nonEmpty()),
		opt("charts", nonEmptyList(object(
			req("repository", nonEmpty()), req("name", nonEmpty()), req("version", nonEmpty()),
		))),
	),
	"yaml-update": fileUpdate(),
	"yaml-parse":  fileParse(),
	"yaml-merge": object(
		req("inFiles", nonEmptyList(str())), req("outFile", nonEmpty()), opt("ignoreMissingFiles", boolean()),
	),
	"json-update": fileUpdate(),
	"json-parse":  fileParse(),
	"toml-update": fileUpdate(),
	"toml-parse":  fileParse(),
	"http": object(
		req("url", nonEmpty()),
		opt("method", enum("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")),
		opt("headers", nameValues()), opt("queryParams", nameValues()),
		opt("body", str()),
		opt("bodyFromFile", nonEmpty()),
		opt("insecureSkipTLSVerify", boolean()),
		opt("proxy", matching(`^https?://`, "an http(s) URL")),
		opt("timeout", duration()), opt("pollInterval", duration()),
		opt("responseContentType", enum("application/json", "application/yaml", "text/plain")),
		opt("outputs", list(object(req("name", nonEmpty()), req("fromExpression", nonEmpty())))),
		opt("successExpression", str()), opt("failureExpression", str()), opt("errorExpression", str()),
	).atMostOne("body", "bodyFromFile"),
	"http-download": object(
		req("url", nonEmpty()), req("outPath", nonEmpty()),
		opt("allowOverwrite", boolean()),
		opt("headers", nameValues()), opt("queryParams", nameValues()),
		opt("insecureSkipTLSVerify", boolean()), opt("timeout", duration()),
	),
	"tar": object(
		req("inPath", nonEmpty()), req("outPath", nonEmpty()), opt("ignore", nonEmpty()), opt("gzip", boolean()),
	),
	"untar": object(
		req("inPath", nonEmpty()), req("outPath", nonEmpty()),
		opt("stripComponents", integer(0, 1<<31-1)), opt("ignore", nonEmpty()),
	),
	"oci-download": object(
		req("imageRef", ociRef()), req("outPath", nonEmpty()),
		opt("allowOverwrite", boolean()), opt("mediaType", nonEmpty()), opt("insecureSkipTLSVerify", boolean()),
	),
	"oci-push": object(
		req("srcRef", ociRef()), req("destRef", ociTagRef()),
		opt("annotations", strMap()), opt("insecureSkipTLSVerify", boolean()),
	),
	"set-metadata": object(
		req("updates", nonEmptyList(object(
			req("kind", enum("Stage", "Freight")), req("name", nonEmpty()),
			req("values", nonEmptyMap()),
		))),
	),
	"compose-output":    openObject(),
	"set-freight-alias": object(req("name", nonEmpty()), req("alias", nonEmpty())),
	"fail":              object(opt("message", nonEmpty())),
}
