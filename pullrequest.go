package railyard

import "strconv"

// PullRequestKey names one pull request so that a promotion waiting on it
// and a forge's webhook event about it agree: the repository URL,
// normalized as git subscriptions are compared, then "#" and the number.
func PullRequestKey(repoURL string, number int64) string {
	return NormalizeGitURL(repoURL) + "#" + strconv.FormatInt(number, 10)
}

// PullRequestKeys names pull request number in each of the repository URLs
// a webhook event gives (clone, web and SSH URLs of one repository).
func PullRequestKeys(repoURLs []string, number int64) []string {
	out := make([]string, 0, len(repoURLs))
	for _, u := range repoURLs {
		out = append(out, PullRequestKey(u, number))
	}
	return out
}
