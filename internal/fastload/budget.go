package fastload

import "os"

// NodeVisitBudget is the MaxNodeVisits cap for loading files: compose-go's
// default of 100,000 visits, or 100 visits per input byte when larger. A
// compose file has at most about one node per two bytes, so honest files
// are visited a few times over at most, while an alias bomb, whose
// expansion grows exponentially with its size, still hits the cap.
func NodeVisitBudget(files []string) int {
	const floor, perByte = 100_000, 100
	total := 0
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			total += int(st.Size())
		}
	}
	return max(floor, total*perByte)
}
