// hello: answers GET /hello?name=NAME with {"lang": "go", "hello": NAME} on :8080.
// Standard library only, so it builds offline.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"runtime"
)

func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"lang": "go", "hello": r.URL.Query().Get("name"), "runtime": runtime.Version(),
	})
}

func main() {
	http.HandleFunc("/hello", hello)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
