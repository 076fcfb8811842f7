package plots

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgElement is a path or a text of an SVG file, as the file has it.
type svgElement struct {
	name  string            // "path" or "text"
	d     string            // a path's data
	x, y  float64           // a text's position
	text  string            // a text's content
	style map[string]string // its style's properties
}

// subpaths returns how many subpaths (M commands) a path has.
func (e svgElement) subpaths() int {
	return strings.Count(e.d, "M")
}

// parseSVG returns the paths and texts of an SVG file, in order.
func parseSVG(t *testing.T, svg []byte) []svgElement {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var out []svgElement
	var cur *svgElement
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local != "path" && tok.Name.Local != "text" {
				continue
			}
			e := svgElement{name: tok.Name.Local, style: map[string]string{}}
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "d":
					e.d = a.Value
				case "x":
					e.x, _ = strconv.ParseFloat(a.Value, 64)
				case "y":
					e.y, _ = strconv.ParseFloat(a.Value, 64)
				case "style":
					for _, prop := range strings.Split(a.Value, ";") {
						if k, v, ok := strings.Cut(prop, ":"); ok {
							e.style[strings.TrimSpace(k)] = strings.TrimSpace(v)
						}
					}
				}
			}
			out = append(out, e)
			cur = &out[len(out)-1]
		case xml.CharData:
			if cur != nil && cur.name == "text" {
				cur.text += string(tok)
			}
		case xml.EndElement:
			cur = nil
		}
	}
}

// hex writes a colour as SVG styles do.
func hex(c color.RGBA) string {
	return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B)
}

// texts returns the contents of the texts of elements.
func texts(es []svgElement) []string {
	var out []string
	for _, e := range es {
		if e.name == "text" {
			out = append(out, e.text)
		}
	}
	return out
}
