package archive

import "testing"

func TestPHPJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"code":"ERROR_CODE_SYNTAX_ERROR","message":"Syntax error: unexpected 'invalid'"}`,
			`{"code":"ERROR_CODE_SYNTAX_ERROR","message":"Syntax error: unexpected \u0027invalid\u0027"}`},
		{`{"b":1,"a":"<a> & \"q\" é/x"}`, `{"b":1,"a":"\u003Ca\u003E \u0026 \u0022q\u0022 é/x"}`},
		{`[1,2.50,null,true,{}]`, `[1,2.50,null,true,{}]`},
		{`"x"`, `"x"`},
	} {
		got, err := PHPJSON([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("PHPJSON(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := PHPJSON([]byte(`{"a":`)); err == nil {
		t.Error("PHPJSON accepted invalid JSON")
	}
}
