package prose

import "testing"

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", -1000: "-1,000", 123456: "123,456",
		-123456: "-123,456", 1234567: "1,234,567", 100_000_000: "100,000,000",
		-9223372036854775808: "-9,223,372,036,854,775,808",
	} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 runs"}, {1, "1 run"}, {2, "2 runs"}, {20000, "20,000 runs"}} {
		if got := Count(c.n, "run"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestLists(t *testing.T) {
	for _, c := range []struct {
		words   []string
		and, or string
	}{
		{nil, "", ""},
		{[]string{"a"}, "a", "a"},
		{[]string{"a", "b"}, "a and b", "a or b"},
		{[]string{"a", "b", "c"}, "a, b and c", "a, b or c"},
	} {
		if got := And(c.words); got != c.and {
			t.Errorf("And(%q) = %q, want %q", c.words, got, c.and)
		}
		if got := Or(c.words); got != c.or {
			t.Errorf("Or(%q) = %q, want %q", c.words, got, c.or)
		}
	}
}
