package dupes_test

import (
	"fmt"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/dupes"
)

// The duplicate-service lint rule reports each group at its first member,
// the other members as related positions.
func ExampleFind() {
	d, err := compose.Parse("compose.yaml", []byte(`services:
  worker-email:
    image: shop:2.3.1
    restart: on-failure:5
    environment: {BROKER_URL: "redis://redis:6379/0"}
    depends_on: [redis]
    command: email
  worker-invoices:
    image: "shop:2.3.1"
    restart: on-failure:5
    environment:
      BROKER_URL: redis://redis:6379/0
    depends_on:
      - redis
    command: invoices
`))
	if err != nil {
		panic(err)
	}
	for _, g := range dupes.Find(d, dupes.DefaultMinShared) {
		fmt.Printf("%s: %v share %v (%s, %d lines saved)\n", g.Members[0].Loc(), g.Services, g.Shared, g.Kind, g.LinesSaved)
		for _, m := range g.Members[1:] {
			fmt.Printf("  also %s at %s\n", m.Name, m.Loc())
		}
	}
	// Output:
	// compose.yaml:2:3: [worker-email worker-invoices] share [image restart environment depends_on] (new, 2 lines saved)
	//   also worker-invoices at compose.yaml:8:3
}
