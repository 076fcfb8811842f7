package golden

import "testing"

func TestFindSection(t *testing.T) {
	doc := "intro\n<!-- begin: a b (note) -->\nAB\n<!-- end: a b -->\n<!-- begin: a -->\nA\n<!-- end: a -->\nlast"
	for _, c := range []struct {
		name, text string
		ok         bool
	}{
		{"a", "A\n", true},
		{"a b", "AB\n", true},
		{"b", "", false},
		{"a b (note)", "", false},
	} {
		start, end, ok := findSection([]byte(doc), c.name)
		if ok != c.ok || (ok && doc[start:end] != c.text) {
			t.Errorf("section %q: %q, %t; want %q, %t", c.name, doc[start:end], ok, c.text, c.ok)
		}
	}
	if _, _, ok := findSection([]byte("<!-- begin: a -->\nA\n"), "a"); ok {
		t.Error("a section without its end line is found")
	}
}
