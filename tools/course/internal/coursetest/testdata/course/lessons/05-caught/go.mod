module fixture/lessons/05-caught

go 1.26.0
