package web

import _ "embed"

// openAPIDocument is the contract of /api/v1 (OpenAPI 3.1), written by
// hand and kept true by TestOpenAPIMatchesRoutes, which compares its paths
// and methods with the routes the server registers.
//
//go:embed openapi.json
var openAPIDocument []byte
