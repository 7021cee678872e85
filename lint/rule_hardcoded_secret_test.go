package lint

import "testing"

// TestVarName: the variable hardcoded-secret suggests for a value.
func TestVarName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"POSTGRES_PASSWORD", "POSTGRES_PASSWORD"},
		// a variable name keeps its case (OpenEMR review)
		{"OPENEMR_SETTING_couchdb_pass", "OPENEMR_SETTING_couchdb_pass"},
		{"dbPassword", "dbPassword"},
		// labels and other names become variable names
		{"com.example.api-key", "COM_EXAMPLE_API_KEY"},
		{"2FA_SECRET", "2FA_SECRET"},
		{"x-token", "X_TOKEN"},
	}
	for _, tt := range tests {
		if got := varName(tt.name); got != tt.want {
			t.Errorf("varName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
