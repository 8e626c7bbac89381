// worker: does the work (counts primes up to n) and remembers answers in the cache.
// Standard library only: it must build offline with CGO_ENABLED=0 into one static binary.
//
// GET /work?n=N -> look up "primes:N" in the cache (GET {CACHE_URL}/kv/primes:N);
//
//	on a hit answer {"n":N,"primes":P,"cached":true,"cache":"up"};
//	else count the primes <= N, store them (PUT), and answer "cached":false.
//	When the cache does not answer: still compute, and say "cache":"down".
//	n outside 0..2000000 -> 400.
//
// GET /live     -> 200 while the process serves (liveness).
// GET /health   -> 200 {"status":"ok","cache":"up"}, or 503 {"status":"degraded","cache":"down"}
//
//	when the cache does not answer (readiness).
//
// `worker -probe` -> exit 0 when http://127.0.0.1:8001/health answers 200, else 1: the
//
//	HEALTHCHECK command (the image is FROM scratch: no shell, no wget).
//
// Ask the cache with a short timeout (~0.5 s): a missing cache must cost little.
package main

import (
	"flag"
	"net/http"
	"os"
)

const port = "8001"

func notWritten(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not written yet", http.StatusNotImplemented)
}

func main() {
	probe := flag.Bool("probe", false, "check this worker's /health and exit 0 (healthy) or 1")
	flag.Parse()
	if *probe {
		os.Exit(1) // TODO: GET http://127.0.0.1:8001/health, exit 0 on 200
	}
	http.HandleFunc("/work", notWritten)   // TODO
	http.HandleFunc("/live", notWritten)   // TODO
	http.HandleFunc("/health", notWritten) // TODO
	http.ListenAndServe(":"+port, nil)
}
