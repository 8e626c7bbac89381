// worker: does the work (counts primes up to n) and remembers answers in the cache.
//
// GET /work?n=N -> {"n":N,"primes":P,"cached":bool,"cache":"up"|"down"}
// GET /live     -> 200 while the process serves (liveness: "do not restart me").
// GET /health   -> 200 {"status":"ok","cache":"up"}, or 503 {"status":"degraded","cache":"down"}
//
//	when the cache does not answer (readiness): the worker still computes, uncached.
//
// `worker -probe` is the HEALTHCHECK command (the image is FROM scratch: no shell, no wget).
// Standard library only: builds offline with CGO_ENABLED=0 into one static binary.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

const port = "8001"
const maxN = 2000000

var cacheURL = getenv("CACHE_URL", "http://cache:6380")

// The cache is asked with a short timeout: a missing cache must cost little, not hang requests.
var client = &http.Client{Timeout: 500 * time.Millisecond}

func getenv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// countPrimes is the "work": a sieve of Eratosthenes.
func countPrimes(n int) int {
	if n < 2 {
		return 0
	}
	composite := make([]bool, n+1)
	count := 0
	for i := 2; i <= n; i++ {
		if composite[i] {
			continue
		}
		count++
		for j := i * i; j <= n; j += i {
			composite[j] = true
		}
	}
	return count
}

// cacheGet returns (value, found, cacheReachable).
func cacheGet(key string) (string, bool, bool) {
	resp, err := client.Get(cacheURL + "/kv/" + key)
	if err != nil {
		return "", false, false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body), resp.StatusCode == http.StatusOK, true
}

func cachePut(key, value string) bool {
	req, _ := http.NewRequest(http.MethodPut, cacheURL+"/kv/"+key, strings.NewReader(value))
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < 300
}

func cacheUp() bool {
	resp, err := client.Get(cacheURL + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func writeJSON(w http.ResponseWriter, code int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

func work(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 0 || n > maxN {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("n must be 0..%d", maxN)})
		return
	}
	key := "primes:" + strconv.Itoa(n)
	state := "down"
	if value, found, reachable := cacheGet(key); reachable {
		state = "up"
		if p, err := strconv.Atoi(value); found && err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"n": n, "primes": p, "cached": true, "cache": state})
			return
		}
	}
	p := countPrimes(n)
	if state == "up" && !cachePut(key, strconv.Itoa(p)) {
		state = "down"
	}
	writeJSON(w, http.StatusOK, map[string]any{"n": n, "primes": p, "cached": false, "cache": state})
}

func health(w http.ResponseWriter, r *http.Request) {
	if cacheUp() {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "cache": "up"})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "degraded", "cache": "down"})
}

// probe is the HEALTHCHECK: exit 0 only when this worker reports itself healthy.
func probe() int {
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://127.0.0.1:" + port + "/health")
	if err != nil {
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}

func main() {
	probeFlag := flag.Bool("probe", false, "check this worker's /health and exit 0 (healthy) or 1")
	flag.Parse()
	if *probeFlag {
		os.Exit(probe())
	}
	http.HandleFunc("/work", work)
	http.HandleFunc("/health", health)
	http.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "alive"})
	})
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
