package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"parindex/config"
	"parindex/store/storetest"
	"parindex/web/api"
)

// TestOpenAPIMatchesRoutes keeps openapi.json true: every route under
// /api/v1 is documented with its method and path parameters, every
// documented operation is served, each answers errors in the one error
// shape, and every $ref resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	cfg, err := config.Load(map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir()}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, storetest.MustOpenSQLite(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.Document, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != api.Prefix {
		t.Errorf("openapi %q, servers %v", doc.OpenAPI, doc.Servers)
	}

	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	served := map[string]bool{}
	for _, r := range s.engine.Routes() {
		if !strings.HasPrefix(r.Path, api.Prefix+"/") {
			continue
		}
		path := param.ReplaceAllString(strings.TrimPrefix(r.Path, api.Prefix), "{$1}")
		served[strings.ToLower(r.Method)+" "+path] = true
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}
			key := method + " " + path
			documented[key] = true
			var op struct {
				OperationID string            `json:"operationId"`
				Security    *[]any            `json:"security"`
				Parameters  []json.RawMessage `json:"parameters"`
				Responses   map[string]any    `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			if op.OperationID == "" || op.Responses["200"] == nil {
				t.Errorf("%s: no operationId or 200 response", key)
			}
			public := op.Security != nil && len(*op.Security) == 0
			if !public {
				for _, status := range []string{"401", "403", "429", "500"} {
					if op.Responses[status] == nil {
						t.Errorf("%s does not document %s", key, status)
					}
				}
			}
			// Path parameters are declared, by reference or inline.
			for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(path, -1) {
				found := false
				for _, p := range op.Parameters {
					var pp struct {
						Ref  string `json:"$ref"`
						Name string `json:"name"`
						In   string `json:"in"`
					}
					json.Unmarshal(p, &pp)
					if pp.Ref != "" {
						pp.Name, pp.In = resolveParam(t, pp.Ref)
					}
					if pp.Name == m[1] && pp.In == "path" {
						found = true
					}
				}
				if !found {
					t.Errorf("%s does not declare the path parameter %s", key, m[1])
				}
			}
		}
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("route %s is served but not in openapi.json", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("openapi.json documents %s, which is not served", k)
		}
	}
	if len(served) < 10 {
		t.Errorf("only %d API routes found", len(served))
	}

	// Every $ref points at a component that exists.
	var whole map[string]any
	json.Unmarshal(api.Document, &whole)
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if k == "$ref" {
					refs = append(refs, y.(string))
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(whole)
	sort.Strings(refs)
	refs = slices.Compact(refs)
	for _, ref := range refs {
		parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		var node any = whole
		for _, p := range parts {
			m, _ := node.(map[string]any)
			node = m[p]
		}
		if node == nil {
			t.Errorf("$ref %s resolves to nothing", ref)
		}
	}
}

func resolveParam(t *testing.T, ref string) (name, in string) {
	var whole struct {
		Components struct {
			Parameters map[string]struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.Document, &whole); err != nil {
		t.Fatal(err)
	}
	p := whole.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")]
	return p.Name, p.In
}
