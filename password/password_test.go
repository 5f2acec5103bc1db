package password_test

import (
	"strings"
	"testing"

	"parindex/password"
)

var fast = password.Params{MemoryKiB: 64, Time: 1, Threads: 1}

func TestHashAndVerify(t *testing.T) {
	h, err := password.Hash("mật khẩu đúng 123", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash = %s", h)
	}
	if !password.Verify(h, "mật khẩu đúng 123") {
		t.Error("the right password does not verify")
	}
	for _, wrong := range []string{"mật khẩu đúng 12", "", "MẬT KHẨU ĐÚNG 123"} {
		if password.Verify(h, wrong) {
			t.Errorf("%q verifies", wrong)
		}
	}
	h2, _ := password.Hash("mật khẩu đúng 123", fast)
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", strings.Replace(h, "m=64", "m=0", 1), h[:len(h)-10]} {
		if password.Verify(bad, "mật khẩu đúng 123") {
			t.Errorf("malformed hash %q verifies", bad)
		}
	}
}

func TestCheck(t *testing.T) {
	if password.Check("an", "ngắn") == nil {
		t.Error("short password accepted")
	}
	if password.Check("nguyenvanan", "NguyenVanAn") == nil {
		t.Error("password equal to the username accepted")
	}
	if err := password.Check("an", "đủ dài rồi đấy"); err != nil {
		t.Errorf("good password refused: %v", err)
	}
	if r := password.Random(16); len(r) != 16 || strings.ContainsAny(r, "0O1lI") {
		t.Errorf("Random = %q", r)
	}
}
