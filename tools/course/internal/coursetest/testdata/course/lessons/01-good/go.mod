module fixture/lessons/01-good

go 1.26.0
