package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// hmacHex is the hex HMAC-SHA256 of body keyed with secret.
func hmacHex(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// checkSignature verifies a hex HMAC-SHA256 signature of body, with or
// without the "sha256=" prefix GitHub, Gitea and Bitbucket put before it.
// name is the header, for the reason given.
func checkSignature(name, header, secret string, body []byte, prefixed bool) error {
	if header == "" {
		return reject(http.StatusUnauthorized, "missing %s header", name)
	}
	sig := header
	if prefixed {
		var ok bool
		if sig, ok = strings.CutPrefix(header, "sha256="); !ok {
			return reject(http.StatusUnauthorized, "%s must be sha256=<hex HMAC>", name)
		}
	}
	if !hmac.Equal([]byte(strings.ToLower(sig)), []byte(hmacHex(secret, body))) {
		return reject(http.StatusUnauthorized, "%s does not match the body", name)
	}
	return nil
}

// checkToken compares a shared token in constant time.
func checkToken(name, header, secret string) error {
	if header == "" {
		return reject(http.StatusUnauthorized, "missing %s header", name)
	}
	if !hmac.Equal([]byte(header), []byte(secret)) {
		return reject(http.StatusUnauthorized, "%s does not match", name)
	}
	return nil
}
