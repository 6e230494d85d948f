module example.com/insecure

go 1.22
