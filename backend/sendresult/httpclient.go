package sendresult

import (
	"net"
	"net/http"
	"time"
)

// Timeouts of the API senders' requests.
const (
	DialTimeout           = 10 * time.Second
	TLSHandshakeTimeout   = 10 * time.Second
	ResponseHeaderTimeout = 60 * time.Second // from the end of the upload to the provider's answer
)

// HTTPClient returns a copy of given (or a new client whose whole request, upload
// included, may take requestTimeout) that never follows a redirect: a POST that is
// redirected was not sent, and the token or key, which Go's client would copy to the
// redirect's target, must reach no other host.
func HTTPClient(given *http.Client, requestTimeout time.Duration) *http.Client {
	var c http.Client
	if given != nil {
		c = *given
	} else {
		c = http.Client{
			Timeout: requestTimeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
				TLSHandshakeTimeout:   TLSHandshakeTimeout,
				ResponseHeaderTimeout: ResponseHeaderTimeout,
				IdleConnTimeout:       90 * time.Second,
				MaxIdleConnsPerHost:   4,
				ForceAttemptHTTP2:     true,
			},
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
