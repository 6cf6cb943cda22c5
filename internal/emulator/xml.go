package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// jsonToXML renders a JSON document the way the service renders XML: an
// object's keys become elements, and an array repeats its key's element.
func jsonToXML(buf *bytes.Buffer, root string, js []byte) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return writeXMLValue(buf, root, v, 0)
}

func writeXMLValue(buf *bytes.Buffer, name string, v any, depth int) error {
	if depth > 64 {
		return errors.New("document too deep")
	}
	switch t := v.(type) {
	case []any:
		for _, item := range t {
			if err := writeXMLValue(buf, name, item, depth+1); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		fmt.Fprintf(buf, "<%s>", name)
		for _, k := range sortedKeys(t) {
			if err := writeXMLValue(buf, k, t[k], depth+1); err != nil {
				return err
			}
		}
		fmt.Fprintf(buf, "</%s>", name)
		return nil
	case nil:
		fmt.Fprintf(buf, "<%s></%s>", name, name)
		return nil
	default:
		fmt.Fprintf(buf, "<%s>", name)
		if err := xml.EscapeText(io.Writer(buf), []byte(fmt.Sprint(t))); err != nil {
			return err
		}
		fmt.Fprintf(buf, "</%s>", name)
		return nil
	}
}
