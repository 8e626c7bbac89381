module kernel-koans/images/hello

go 1.19
