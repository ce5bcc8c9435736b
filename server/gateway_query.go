package server

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// strictQuery is the JSON API's query parameter parser: it refuses a
// parameter that names no field of the request message, so that a typo
// (call_id= for call_ids=) is a 400 naming it rather than a filter left
// empty, which matches everything. Fields are looked up in the request's
// descriptor, so a field added to the proto is accepted with no change here;
// each is accepted by its proto name (call_ids) and its JSON name (callIds),
// as grpc-gateway's own parser accepts them.
type strictQuery struct{ runtime.DefaultQueryParser }

// Parse checks every key of values against msg, then populates msg.
func (q *strictQuery) Parse(msg proto.Message, values url.Values, filter *utilities.DoubleArray) error {
	desc := msg.ProtoReflect().Descriptor()
	for key := range values {
		if err := checkFieldPath(desc, key); err != nil {
			return err
		}
	}
	return q.DefaultQueryParser.Parse(msg, values, filter)
}

// checkFieldPath reports an error unless key, a query parameter such as
// "call_ids", "afterSequence", "a.b" or "labels[k]", names a field of desc.
func checkFieldPath(desc protoreflect.MessageDescriptor, key string) error {
	path := key
	if i := strings.IndexByte(path, '['); i >= 0 && strings.HasSuffix(path, "]") {
		path = path[:i] // a map entry's key: labels[k]
	}
	for seg := range strings.SplitSeq(path, ".") {
		if desc == nil {
			return fmt.Errorf("unknown query parameter %q: %q is not a message", key, path)
		}
		f := fieldByName(desc, seg)
		if f == nil {
			return fmt.Errorf("unknown query parameter %q: %s has no field %q; its fields are %s",
				key, desc.Name(), seg, strings.Join(fieldNames(desc), ", "))
		}
		desc = f.Message()
	}
	return nil
}

// fieldByName finds desc's field by its proto name or its JSON name.
func fieldByName(desc protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fields := desc.Fields()
	if f := fields.ByName(protoreflect.Name(name)); f != nil {
		return f
	}
	return fields.ByJSONName(name)
}

// fieldNames lists desc's fields by proto name, sorted, for error messages.
func fieldNames(desc protoreflect.MessageDescriptor) []string {
	fields := desc.Fields()
	names := make([]string, fields.Len())
	for i := range names {
		names[i] = string(fields.Get(i).Name())
	}
	slices.Sort(names)
	return names
}
