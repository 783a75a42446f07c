module fixture/lessons/03-broken

go 1.26.0
